import { Page } from '../../ui/page';

export function ScopesArea() {
  return <Page title="Scopes">{null}</Page>;
}
