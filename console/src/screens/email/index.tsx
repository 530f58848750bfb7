import { api } from '../../api/api-client';
import { Page } from '../../ui/page';
import { ErrorNotice, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { Outbox } from './outbox';
import { SmtpForm } from './smtp-form';
import type { EmailSettings } from './types';
import './email.css';

/** How Gatehouse sends email (the SMTP settings) and what became of each message (the outbox). */
export function EmailArea() {
  const settings = useLoad(() => api<EmailSettings>('GET', '/settings/email'), []);
  return (
    <Page title="Email" description="The mail server Gatehouse sends password reset links, verification links and account notices through, and what became of each message.">
      {settings.error && <ErrorNotice error={settings.error} />}
      {settings.data ? <SmtpForm initial={settings.data} onSaved={settings.reload} /> : !settings.error && <Loading rows={6} />}
      <Outbox configured={settings.data?.configured} />
    </Page>
  );
}
