import { Page } from '../../ui/page';

export function KeysArea() {
  return <Page title="Keys">{null}</Page>;
}
