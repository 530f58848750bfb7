import { Page } from '../../ui/page';

export function ApplicationsArea() {
  return <Page title="Applications">{null}</Page>;
}
