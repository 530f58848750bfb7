import { Page } from '../../ui/page';

export function UsersArea() {
  return <Page title="Users">{null}</Page>;
}
