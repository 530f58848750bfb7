import { Page } from '../../ui/page';

export function AuditArea() {
  return <Page title="Audit log">{null}</Page>;
}
