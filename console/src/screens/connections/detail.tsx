import { useEffect, useState, type ReactNode } from 'react';
import { Link, useLocation, useParams, useSearch } from 'wouter';
import { api, ApiError } from '../../api/api-client';
import { ConfirmButton } from '../../ui/confirm';
import { CopyValue } from '../../ui/copy';
import { Page, Section } from '../../ui/page';
import { DeclaredNote, EmptyState, ErrorNotice, Loading, SuccessNotice } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { JwtForm, jwtDraftOf } from './jwt-form';
import { typeLabel } from './list';
import { draftOf, OidcForm } from './oidc-form';
import { PartnerContract } from './partner-contract';
import { connectionSecrets } from './secret';
import { TestPanel } from './test-panel';
import type { Connection, JwtConnection, OidcConnection } from './types';
import { oidcUrls } from './urls';
import { VendorTabs, type VendorId } from './vendors';

/** A guess at the provider from its discovery URL or issuer, for the hints shown first. */
function vendorOfConnection(connection: OidcConnection): VendorId {
  const where = `${connection.discovery_url ?? connection.issuer ?? ''} ${connection.id}`;
  if (/okta/i.test(where)) return 'okta';
  if (/onelogin/i.test(where)) return 'onelogin';
  if (/google/i.test(where)) return 'google';
  return 'other';
}

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');
const provisioningLabel = { create: 'Create accounts just in time', existing_users_only: 'Known users only' } as const;
const none = <span className="muted">—</span>;

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function OidcFacts({ connection: c }: { connection: OidcConnection }) {
  return (
    <dl className="facts">
      <Fact term="Name">{c.name}</Fact>
      <Fact term="Enabled">{yesNo(c.enabled)}</Fact>
      {c.discovery_url ? <Fact term="Discovery URL"><code>{c.discovery_url}</code></Fact> : (
        <>
          <Fact term="Issuer"><code>{c.issuer}</code></Fact>
          <Fact term="Authorization endpoint"><code>{c.authorization_endpoint}</code></Fact>
          <Fact term="Token endpoint"><code>{c.token_endpoint}</code></Fact>
          <Fact term="Key set URL"><code>{c.jwks_uri}</code></Fact>
          <Fact term="Userinfo endpoint">{c.userinfo_endpoint ? <code>{c.userinfo_endpoint}</code> : none}</Fact>
          <Fact term="End-session endpoint">{c.end_session_endpoint ? <code>{c.end_session_endpoint}</code> : none}</Fact>
        </>
      )}
      <Fact term="Client ID"><code>{c.client_id}</code></Fact>
      <Fact term="Client secret">{c.has_secret ? 'Stored (never shown)' : 'None'}</Fact>
      <Fact term="Secret sent by">{c.token_endpoint_auth_method === 'client_secret_post' ? 'Form body (client_secret_post)' : 'HTTP Basic (client_secret_basic)'}</Fact>
      <Fact term="Accounts">{provisioningLabel[c.provisioning]}</Fact>
      <Fact term="Scopes"><code>{c.scopes.join(' ')}</code></Fact>
      <Fact term="User name claim"><code>{c.username_claim}</code></Fact>
      <Fact term="Groups claim">{c.groups_claim ? <code>{c.groups_claim}</code> : none}</Fact>
      <Fact term="Profile updates">{c.update_profile === 'on_login' ? 'At every sign-in' : 'Only when the account is created'}</Fact>
      <Fact term="Email domains">{c.email_domains.length ? c.email_domains.join(', ') : none}</Fact>
      <Fact term="Pass on login_hint">{yesNo(c.forward_login_hint)}</Fact>
      <Fact term="Trust the provider's MFA">{yesNo(c.trust_upstream_mfa)}</Fact>
    </dl>
  );
}

function JwtFacts({ connection: c }: { connection: JwtConnection }) {
  return (
    <dl className="facts">
      <Fact term="Name">{c.name}</Fact>
      <Fact term="Enabled">{yesNo(c.enabled)}</Fact>
      <Fact term="Partner's sign-in URL"><code>{c.sign_in_url}</code></Fact>
      <Fact term="Key">
        {c.public_key ? 'The partner\'s public key' : c.jwks_uri ? <>Key set at <code>{c.jwks_uri}</code></> : c.has_secret ? 'A shared secret (stored sealed, never shown)' : 'None'}
      </Fact>
      <Fact term="Algorithms">{c.algorithms?.length ? c.algorithms.join(', ') : 'The key\'s default'}</Fact>
      <Fact term="Issuer (iss)">{c.issuer ? <code>{c.issuer}</code> : 'Not checked'}</Fact>
      <Fact term="Audience (aud)">{c.audience ? <code>{c.audience}</code> : 'Not checked'}</Fact>
      <Fact term="Require jti">{yesNo(c.require_jti)}</Fact>
      <Fact term="Longest lifetime">{c.max_token_age_seconds} s</Fact>
      <Fact term="Clock skew">{c.clock_skew_seconds} s</Fact>
      <Fact term="Accounts">{provisioningLabel[c.provisioning]}</Fact>
    </dl>
  );
}

/** One connection: Gatehouse's URLs to give the other side, Test connection, its settings, and deleting it. */
export function ConnectionDetail() {
  const { id = '' } = useParams<{ id: string }>();
  const [justCreated] = useState(new URLSearchParams(useSearch()).has('created'));
  const [, navigate] = useLocation();
  // The notice shows once: a reload or a bookmark of this page does not say "created" again.
  useEffect(() => {
    if (justCreated) navigate(`/${encodeURIComponent(id)}`, { replace: true });
  }, []);
  const { data: connection, error, loading, reload } = useLoad(() => api<Connection>('GET', `/connections/${encodeURIComponent(id)}`), [id]);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const [deleteError, setDeleteError] = useState<Error>();
  const [oneTimeSecret] = useState(() => connectionSecrets.peek(id));
  useEffect(() => connectionSecrets.forget(id), [id]);

  if (error instanceof ApiError && error.status === 404) {
    return (
      <Page title="Connection not found">
        <EmptyState title={`There is no connection “${id}”`} action={<Link href="/" className="button">All connections</Link>}>
          It may have been deleted. The list shows every connection there is.
        </EmptyState>
      </Page>
    );
  }
  if (!connection) {
    return (
      <Page title={loading ? 'Connection' : 'Connection unavailable'}>
        <ErrorNotice error={error} />
        {loading && <Loading rows={8} />}
      </Page>
    );
  }

  const afterSave = () => {
    setEditing(false);
    setSaved(true);
    reload();
  };
  const remove = async () => {
    try {
      await api('DELETE', `/connections/${encodeURIComponent(connection.id)}`);
      navigate('/');
    } catch (caught) {
      setDeleteError(caught instanceof Error ? caught : new Error(String(caught)));
    }
  };
  const kind = connection.type === 'oidc' ? 'OpenID Connect provider' : 'Partner signing in with a JWT';

  return (
    <Page
      title={connection.name}
      description={<>{kind} · <code>{connection.id}</code> · <Link href="/">All connections</Link></>}
      actions={
        <span className="badge-row">
          <span className="badge badge-accent">{typeLabel(connection)}</span>
          <span className={connection.enabled ? 'badge badge-good' : 'badge'}>{connection.enabled ? 'Enabled' : 'Disabled'}</span>
          {connection.declared && <span className="badge">Declared</span>}
        </span>
      }
    >
      {connection.declared && <DeclaredNote what="connection" />}
      {justCreated && !saved && (
        <SuccessNotice>
          {connection.type === 'oidc' ? 'The connection is created. Run Test connection below to check it against the provider.' : 'The connection is created. Give the partner the secret and the contract below.'}
        </SuccessNotice>
      )}
      {saved && <SuccessNotice>The changes are saved.</SuccessNotice>}
      {oneTimeSecret && (
        <Section title="Shared secret: copy it now">
          <CopyValue label="Shared secret" value={oneTimeSecret} secret
            hint="Generated in this browser with crypto.getRandomValues. Gatehouse stores it sealed and this is the last time it is shown: give it to the partner through a safe channel." />
        </Section>
      )}

      {connection.type === 'oidc' ? <OidcUrls connection={connection} /> : (
        <Section title="The partner's contract">
          <PartnerContract terms={{
            id: connection.id, signInUrl: connection.sign_in_url, callbackUrl: connection.callback_url,
            keyKind: connection.public_key !== undefined ? 'public_key' : connection.jwks_uri !== undefined ? 'jwks_uri' : 'secret',
            algorithms: connection.algorithms ?? [], issuer: connection.issuer ?? '', audience: connection.audience ?? '',
            requireJti: connection.require_jti, maxTokenAgeSeconds: connection.max_token_age_seconds, clockSkewSeconds: connection.clock_skew_seconds,
          }} />
        </Section>
      )}

      <TestPanel connection={connection} />

      {editing ? (
        connection.type === 'oidc'
          ? <OidcForm key={connection.updated_at} mode="edit" initial={draftOf(connection)} onSaved={afterSave} onCancel={() => setEditing(false)} />
          : <JwtForm key={connection.updated_at} mode="edit" initial={jwtDraftOf(connection)} hasStoredSecret={connection.has_secret} onSaved={afterSave} onCancel={() => setEditing(false)} />
      ) : (
        <Section
          title="Settings"
          actions={connection.declared ? undefined : (
            <button type="button" className="button" onClick={() => {
              setSaved(false);
              setEditing(true);
            }}>Edit settings</button>
          )}
        >
          {connection.type === 'oidc' ? <OidcFacts connection={connection} /> : <JwtFacts connection={connection} />}
        </Section>
      )}

      {!connection.declared && (
        <Section title="Delete the connection">
          <p className="section-description">
            Its button leaves the login page at once. The people who signed in through it keep their accounts here, and a connection
            created later with the same {connection.type === 'oidc' ? 'issuer' : 'id'} finds their links again.
          </p>
          <ErrorNotice error={deleteError} />
          <ConfirmButton
            label="Delete connection" danger confirmLabel="Delete connection" onConfirm={remove}
            question={<><h2>Delete “{connection.name}”?</h2><p>Nobody can sign in through it any more. Its settings{connection.has_secret ? ' and its secret' : ''} are gone; the accounts stay.</p></>}
          />
        </Section>
      )}
    </Page>
  );
}

function OidcUrls({ connection }: { connection: OidcConnection }) {
  const [vendor, setVendor] = useState<VendorId>(() => vendorOfConnection(connection));
  const urls = oidcUrls(connection.id);
  return (
    <Section title="Register Gatehouse at the provider">
      <div className="callback-box">
        <CopyValue label="Callback URL (redirect URI)" value={connection.callback_url ?? urls.redirectUri} hint="Paste it into the provider's application exactly as it is." />
        <CopyValue label="Sign-out URL (post-logout redirect URI)" value={urls.postLogoutRedirectUri} hint="Lets signing out of Gatehouse end the provider's session too." />
      </div>
      <VendorTabs value={vendor} onChange={setVendor} part="register" />
    </Section>
  );
}
