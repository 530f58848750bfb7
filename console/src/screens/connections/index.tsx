import { Page } from '../../ui/page';

export function ConnectionsArea() {
  return <Page title="Connections">{null}</Page>;
}
