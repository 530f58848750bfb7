import { Page } from '../../ui/page';

export function GroupsArea() {
  return <Page title="Groups">{null}</Page>;
}
