import { html } from './html.js';
import { t } from '../i18n/page-locale.js';
import { layout } from './layout.js';
import { tHtml } from './translated.js';

export interface ConnectionTestModel {
  connectionName: string;
  issuer: string;
  subject: string;
  usernameClaim: string;
  /** What that claim held, if the upstream sent it. */
  username: string | undefined;
  /** Which local user the identity would sign in as, or why it would be refused, in words. */
  outcome: string;
  refused: boolean;
  /** Every claim of the id_token and userinfo, by name. */
  claims: Record<string, unknown>;
}

/** The end of Test connection's round trip: what the upstream sent and where it would lead, with nothing created. */
export function connectionTestPage(model: ConnectionTestModel): string {
  const claims = Object.entries(model.claims).sort(([a], [b]) => a.localeCompare(b));
  return layout(
    t('connectionTest.title'),
    html`<h1>${t('connectionTest.works', { connection: model.connectionName })}</h1>
<p>${tHtml('connectionTest.signedInAs', { connection: model.connectionName, subject: html`<code>${model.subject}</code>`, issuer: html`<code>${model.issuer}</code>` })}</p>
<p>${tHtml('connectionTest.usernameClaim', {
    claim: html`<code>${model.usernameClaim}</code>`,
    value: model.username === undefined ? html`<strong>${t('connectionTest.notSent')}</strong>` : html`<code>${model.username}</code>`,
  })}</p>
<h2>${t('connectionTest.accountHere')}</h2>
<p${model.refused ? html` class="error"` : ''}>${model.outcome}</p>
<h2>${t('connectionTest.claims')}</h2>
<table class="claims">
${claims.map(([name, value]) => html`<tr><th scope="row"><code>${name}</code></th><td><code>${JSON.stringify(value)}</code></td></tr>\n`)}</table>
<p class="muted">${t('connectionTest.nothingChanged')}</p>`,
    // Loading the callback again would use its code twice.
    { languageSwitch: false },
  );
}
