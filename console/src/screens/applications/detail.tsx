import { useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, ApiError } from '../../api/api-client';
import { ConfirmButton } from '../../ui/confirm';
import { CopyButton, CopyValue } from '../../ui/copy';
import { Page, Section } from '../../ui/page';
import { DeclaredNote, EmptyState, ErrorNotice, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { discovery, discoveryUrlOf } from './discovery';
import { authMethodSentence, grantOptions, kindOf, presetOf } from './presets';
import { applicationSecrets } from './secret-handoff';
import { mfaOptions, showsMfa, signsPeopleIn } from './settings-form';
import type { Application, ApplicationBranding, Discovery } from './types';

/** The application's page: what to paste into the application, its settings, its secret and its removal. */
export function ApplicationDetail({ clientId }: { clientId: string }) {
  const [, navigate] = useLocation();
  const loaded = useLoad(() => api<Application>('GET', `/applications/${encodeURIComponent(clientId)}`), [clientId]);
  const engine = useLoad(discovery, []);
  // A secret just generated (creation, rotation) is shown this once: held by this screen, forgotten everywhere else.
  const [secret, setSecret] = useState(() => applicationSecrets.peek(clientId));
  const [actionError, setActionError] = useState<Error | undefined>();
  useEffect(() => applicationSecrets.forget(clientId), [clientId]);
  const secretHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (secret) secretHeading.current?.focus();
  }, [secret, Boolean(loaded.data)]);

  const application = loaded.data;
  if (!application) {
    const missing = loaded.error instanceof ApiError && loaded.error.status === 404;
    return (
      <Page title={missing ? 'No such application' : 'Application'} actions={<Link href="/" className="button">All applications</Link>}>
        {loaded.error
          ? missing
            ? <EmptyState title={`There is no application "${clientId}"`} action={<Link href="/" className="button button-primary">See all applications</Link>}>It may have been deleted, or the address is mistyped.</EmptyState>
            : <ErrorNotice error={loaded.error} />
          : <Loading rows={8} />}
      </Page>
    );
  }

  const preset = presetOf(kindOf(application));
  const path = `/applications/${encodeURIComponent(application.client_id)}`;

  async function rotate() {
    setActionError(undefined);
    try {
      const rotated = await api<{ client_secret: string }>('POST', `${path}/rotate-secret`);
      setSecret(rotated.client_secret);
      loaded.reload();
    } catch (failure) {
      setActionError(failure instanceof Error ? failure : new Error(String(failure)));
    }
  }

  async function remove() {
    setActionError(undefined);
    try {
      await api('DELETE', path);
      navigate('/');
    } catch (failure) {
      setActionError(failure instanceof Error ? failure : new Error(String(failure)));
    }
  }

  return (
    <Page
      title={application.client_name ?? application.client_id}
      description={<>{preset.title} · {preset.mode}{application.declared && <> · <span className="badge">Declared</span></>}</>}
      actions={
        <>
          <Link href="/" className="button">All applications</Link>
          {!application.declared && <Link href={`/${encodeURIComponent(application.client_id)}/edit`} className="button button-primary">Edit settings</Link>}
        </>
      }
    >
      {application.declared && <DeclaredNote what="application" />}
      <ErrorNotice error={actionError} />

      {secret && (
        <section className="panel app-secret-once" aria-labelledby="secret-once-title">
          <h2 id="secret-once-title" ref={secretHeading} tabIndex={-1}>Your new client secret</h2>
          <p className="app-secret-warning"><strong>Copy it now: it will not be shown again.</strong> Gatehouse keeps only a sealed copy; if it is lost, rotate the secret to get a new one.</p>
          <CopyValue label="Client secret" value={secret} secret />
          <button type="button" className="button button-small" onClick={() => setSecret(undefined)}>I have copied it</button>
        </section>
      )}

      <Section title="Connect your application">
        <p className="app-lead">Give your application these values; any OpenID Connect library configures itself from the discovery URL.</p>
        {engine.data
          ? <>
              <CopyValue label="Issuer" value={engine.data.issuer} />
              <CopyValue label="Discovery URL" value={discoveryUrlOf(engine.data.issuer)} />
            </>
          : engine.error ? <ErrorNotice error={engine.error} /> : <Loading rows={2} />}
        <CopyValue label="Client ID" value={application.client_id} />
        <div className="app-secret-status">
          <div>
            <div className="copy-value-label">Client secret</div>
            {application.has_client_secret
              ? <p><span className="badge badge-good">Set</span> Shown only when it is created or rotated; Gatehouse cannot show it again.</p>
              : <p><span className="badge">None</span> A public application has no secret: it proves itself with PKCE.</p>}
          </div>
          {application.has_client_secret && !application.declared && (
            <ConfirmButton
              label="Rotate secret" confirmLabel="Rotate the secret" onConfirm={rotate}
              question={<><h2 className="app-dialog-title">Rotate the client secret?</h2><p>A new secret is generated and shown once. The current secret stops working at once: the application cannot get tokens until it has the new one.</p></>}
            />
          )}
        </div>
      </Section>

      <Section title={application.grant_types.includes('authorization_code') || application.grant_types.includes('implicit') ? 'Example authorization URL' : 'Example token request'}>
        {engine.data ? <Example application={application} engine={engine.data} /> : engine.error ? null : <Loading rows={2} />}
      </Section>

      <Section title="Settings" actions={!application.declared ? <Link href={`/${encodeURIComponent(application.client_id)}/edit`} className="button button-small">Edit</Link> : undefined}>
        <dl className="facts">
          <dt>Application type</dt>
          <dd>{preset.title} <code>({application.application_type})</code></dd>
          <dt>Redirect URIs</dt>
          <dd><Values values={application.redirect_uris} none="None" /></dd>
          <dt>Post-logout redirect URIs</dt>
          <dd><Values values={application.post_logout_redirect_uris} none="None" /></dd>
          <dt>Grant types</dt>
          <dd>
            <ul className="app-plain-list">
              {application.grant_types.map((grant) => (
                <li key={grant}><code>{grant}</code> <span className="app-muted">{grantOptions.find((option) => option.value === grant)?.description}</span></li>
              ))}
            </ul>
          </dd>
          <dt>Response types</dt>
          <dd>{application.response_types.length ? <Badges values={application.response_types} /> : <span className="app-muted">None: this application does not use the authorization endpoint.</span>}</dd>
          <dt>Token endpoint authentication</dt>
          <dd><code>{application.token_endpoint_auth_method}</code> <span className="app-muted">{authMethodSentence[application.token_endpoint_auth_method]}</span></dd>
          <dt>id_token signature algorithm</dt>
          <dd><code>{application.id_token_signed_response_alg}</code></dd>
          <dt>Allowed scopes</dt>
          <dd>{application.scope ? <Badges values={application.scope.split(' ')} /> : <span className="app-muted">Any scope Gatehouse offers (the management API only opens to applications that name gatehouse:manage).</span>}</dd>
          {showsMfa(application) && (
            <>
              <dt>Second factor</dt>
              <dd>{mfaOptions.find((option) => option.value === (application.mfa ?? 'inherit'))?.label ?? <code>{application.mfa}</code>}</dd>
            </>
          )}
          {(signsPeopleIn(application) || application.require_verified_email) && (
            <>
              <dt>Verified email address</dt>
              <dd>{application.require_verified_email ? 'Required: a sign-in completes only for people whose email address is verified.' : 'Not required.'}</dd>
            </>
          )}
          {application.id_token_claims_scopes && <><dt>Claims in the id_token</dt><dd><Badges values={application.id_token_claims_scopes} /></dd></>}
          <dt>Created</dt>
          <dd>{new Date(application.created_at).toLocaleString()}</dd>
          <dt>Last changed</dt>
          <dd>{new Date(application.updated_at).toLocaleString()}</dd>
        </dl>
      </Section>

      {application.branding && (
        <Section title="Branding" actions={!application.declared ? <Link href={`/${encodeURIComponent(application.client_id)}/edit`} className="button button-small">Edit</Link> : undefined}>
          <BrandingFacts branding={application.branding} />
        </Section>
      )}

      {!application.declared && (
        <Section title="Delete this application">
          <p>Its tokens stop working at once and people can no longer sign in to it. An application created later with the same client ID inherits nothing.</p>
          <ConfirmButton
            label="Delete application" confirmLabel="Delete it" danger onConfirm={remove}
            question={<><h2 className="app-dialog-title">Delete {application.client_name ?? application.client_id}?</h2><p>Its tokens stop working at once. This cannot be undone.</p></>}
          />
        </Section>
      )}
    </Page>
  );
}

/** The application's own branding; what it leaves out shows the global branding's. */
function BrandingFacts({ branding }: { branding: ApplicationBranding }) {
  const global = <span className="app-muted">The global branding's</span>;
  return (
    <dl className="facts">
      <dt>Name on the sign-in pages</dt>
      <dd>{branding.name ?? global}</dd>
      <dt>Logo</dt>
      <dd>{branding.logo_uri ? <><code>{branding.logo_uri}</code> <span className="app-muted">(fetched when saved, served by Gatehouse)</span></> : global}</dd>
      <dt>Primary colour</dt>
      <dd>{branding.primary_color ? <Swatch color={branding.primary_color} /> : global}</dd>
      <dt>Background colour</dt>
      <dd>{branding.background_color ? <Swatch color={branding.background_color} /> : <span className="app-muted">The browser's light or dark background</span>}</dd>
    </dl>
  );
}

/** A colour's sample and its code; the sample's colour set through the CSS object model, as the console's CSP allows no inline style. */
function Swatch({ color }: { color: string }) {
  const [sample, setSample] = useState<HTMLSpanElement | null>(null);
  useEffect(() => sample?.style.setProperty('--swatch', color), [sample, color]);
  return <><span className="app-swatch" ref={setSample} aria-hidden="true" /><code>{color}</code></>;
}

function Values({ values, none }: { values: string[]; none: string }) {
  if (!values.length) return <span className="app-muted">{none}</span>;
  return <ul className="app-plain-list">{values.map((value) => <li key={value}><code>{value}</code></li>)}</ul>;
}

function Badges({ values }: { values: readonly string[] }) {
  return <span className="app-badges">{values.map((value) => <span key={value} className="badge badge-accent">{value}</span>)}</span>;
}

/** What the application sends first: an authorization URL to open in the browser, or a machine's token request. */
function Example({ application, engine }: { application: Application; engine: Discovery }) {
  const publicClient = application.token_endpoint_auth_method === 'none';
  if (!application.grant_types.includes('authorization_code') && !application.grant_types.includes('implicit')) {
    const scope = application.scope ? ` \\\n  -d 'scope=${application.scope}'` : '';
    const example = application.grant_types.includes('client_credentials')
      ? `curl -u '${application.client_id}:CLIENT_SECRET' \\\n  -d grant_type=client_credentials${scope} \\\n  ${engine.token_endpoint}`
      : undefined;
    if (!example) return <p className="app-muted">This application does not use the authorization endpoint.</p>;
    return (
      <>
        <p>The application asks the token endpoint for an access token with its own credentials (replace CLIENT_SECRET with its secret):</p>
        <div className="app-example">
          <pre className="json">{example}</pre>
          <CopyButton value={example} label="Copy request" />
        </div>
      </>
    );
  }
  const redirect = application.redirect_uris[0];
  if (!redirect) return <p className="app-muted">Add a redirect URI in the settings to see an example authorization URL.</p>;
  const responseType = application.response_types.includes('code') ? 'code' : application.response_types[0] ?? 'code';
  const scope = application.scope ?? 'openid profile email';
  const offline = scope.split(' ').includes('offline_access');
  const needsNonce = responseType.includes('id_token');
  const params: [string, string][] = [
    ['client_id', application.client_id],
    ['response_type', responseType],
    ['scope', scope],
    ['redirect_uri', redirect],
    ['state', 'RANDOM_STATE'],
    ...(needsNonce ? [['nonce', 'RANDOM_NONCE'] as [string, string]] : []),
    ...(offline ? [['prompt', 'consent'] as [string, string]] : []),
    ...(publicClient ? [['code_challenge', 'CODE_CHALLENGE'], ['code_challenge_method', 'S256']] as [string, string][] : []),
  ];
  const url = `${engine.authorization_endpoint}?${params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&')}`;
  return (
    <>
      <p>Send the browser here to sign someone in; Gatehouse sends it back to <code>{redirect}</code> with a code.</p>
      <CopyValue label="Authorization URL" value={url} />
      <ul className="app-explain">
        <li><code>RANDOM_STATE</code>: a new random value per sign-in that your application keeps and checks when the browser comes back.</li>
        {needsNonce && <li><code>RANDOM_NONCE</code>: a new random value that comes back inside the id_token.</li>}
        {publicClient && (
          <li>
            <code>CODE_CHALLENGE</code>: PKCE. Make a random code verifier for each sign-in, send its SHA-256 hash (base64url) here,
            and send the verifier itself when trading the code at the token endpoint: a public application has no secret, so this proves the code is its own.
          </li>
        )}
        {offline && <li><code>offline_access</code> with <code>prompt=consent</code> asks for a refresh token.</li>}
        <li>{publicClient ? 'The code is traded' : 'Your back end trades the code'} at <code>{engine.token_endpoint}</code>{publicClient ? ' with the code verifier.' : ' with the client ID and secret.'}</li>
      </ul>
    </>
  );
}
