import { html } from './html.js';
import { layout } from './layout.js';

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
    'Connection test',
    html`<h1>${model.connectionName}: the sign-in works</h1>
<p>${model.connectionName} signed you in as <code>${model.subject}</code> at <code>${model.issuer}</code>.</p>
<p>User name claim <code>${model.usernameClaim}</code>: ${model.username === undefined ? html`<strong>not sent</strong>` : html`<code>${model.username}</code>`}</p>
<h2>Account here</h2>
<p${model.refused ? html` class="error"` : ''}>${model.outcome}</p>
<h2>Claims received</h2>
<table class="claims">
${claims.map(([name, value]) => html`<tr><th scope="row"><code>${name}</code></th><td><code>${JSON.stringify(value)}</code></td></tr>\n`)}</table>
<p class="muted">This was a test: no account, identity link or session was created or changed.</p>`,
  );
}
