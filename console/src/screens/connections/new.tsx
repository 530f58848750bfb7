import { useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { Page } from '../../ui/page';
import { JwtForm, newJwtDraft } from './jwt-form';
import { emptyOidcDraft, OidcForm } from './oidc-form';

/** A new connection: the choice of kind, then that kind's form (`/new?type=oidc`, `/new?type=jwt`). */
export function NewConnection() {
  const type = new URLSearchParams(useSearch()).get('type');
  const [, navigate] = useLocation();
  const [jwtDraft] = useState(newJwtDraft);
  const created = (id: string) => navigate(`/${encodeURIComponent(id)}?created=1`);
  if (type === 'oidc') {
    return (
      <Page title="New OpenID Connect connection" description="People sign in with their account at Okta, OneLogin, Google or any OpenID Connect provider.">
        <OidcForm mode="create" initial={emptyOidcDraft} onSaved={(connection) => created(connection.id)} onCancel={() => navigate('/')} />
      </Page>
    );
  }
  if (type === 'jwt') {
    return (
      <Page title="New JWT SSO connection" description="A partner portal signs people in on its side and sends them back with a short signed JWT.">
        <JwtForm mode="create" initial={jwtDraft} onSaved={(connection) => created(connection.id)} onCancel={() => navigate('/')} />
      </Page>
    );
  }
  return (
    <Page title="New connection" description="Choose how people will sign in: through another identity provider, or through a partner's portal.">
      <div className="cards">
        <Link href="/new?type=oidc" className="card-choice">
          <strong>OpenID Connect provider</strong>
          <span>Okta, OneLogin, Google, Keycloak, Entra ID…: Gatehouse sends people there and reads who they are from its id_token.</span>
        </Link>
        <Link href="/new?type=jwt" className="card-choice">
          <strong>JWT SSO partner</strong>
          <span>An in-house portal signs people in and sends them back with a JWT signed with a secret or key you agree on.</span>
        </Link>
      </div>
    </Page>
  );
}
