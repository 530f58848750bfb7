import { Link } from 'wouter';
import { api, query, type Page as Listing } from '../../api/api-client';
import { Page } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import type { Connection } from './types';

/** Every connection, following the cursor: an organization has a handful, so the whole list fits one screen. */
async function listAll(): Promise<Connection[]> {
  const all: Connection[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<Listing<Connection>>('GET', `/connections${query({ limit: 200, cursor })}`);
    all.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return all;
}

/** The other side's host: where people are sent to sign in. */
function hostOf(connection: Connection): string {
  const url = connection.type === 'jwt' ? connection.sign_in_url : connection.discovery_url ?? connection.issuer ?? '';
  return URL.canParse(url) ? new URL(url).host : url;
}

export const typeLabel = (connection: Pick<Connection, 'type'>) => (connection.type === 'jwt' ? 'JWT SSO' : 'OIDC');

export function ConnectionList() {
  const { data, error, loading } = useLoad(listAll, []);
  const hasAny = (data?.length ?? 0) > 0;
  return (
    <Page
      title="Connections"
      description="Other identity providers and partner portals people sign in through, beside their Gatehouse password."
      actions={hasAny ? <Link href="/new" className="button button-primary">New connection</Link> : undefined}
    >
      <ErrorNotice error={error} />
      {loading && !data && <Loading rows={3} />}
      {data && !hasAny && (
        <EmptyState
          title="No connections yet"
          action={
            <div className="button-row empty-actions">
              <Link href="/new?type=oidc" className="button button-primary">Add an OpenID Connect provider</Link>
              <Link href="/new?type=jwt" className="button">Add a JWT SSO partner</Link>
            </div>
          }
        >
          A connection lets people sign in with an account they have elsewhere: an OpenID Connect provider such as Okta, OneLogin or
          Google, or a partner portal that signs them in with a short JWT. Each gets a button on the login page.
        </EmptyState>
      )}
      {data && hasAny && (
        <table className="list">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Id</th><th scope="col">Signs in at</th><th scope="col">Status</th></tr>
          </thead>
          <tbody>
            {data.map((connection) => (
              <tr key={connection.id}>
                <td data-label="Name"><Link href={`/${encodeURIComponent(connection.id)}`}>{connection.name}</Link></td>
                <td data-label="Type"><span className="badge badge-accent">{typeLabel(connection)}</span></td>
                <td data-label="Id"><code>{connection.id}</code></td>
                <td data-label="Signs in at"><span className="host">{hostOf(connection)}</span></td>
                <td data-label="Status">
                  <span className="badge-row">
                    <span className={connection.enabled ? 'badge badge-good' : 'badge'}>{connection.enabled ? 'Enabled' : 'Disabled'}</span>
                    {connection.declared && <span className="badge" title="Declared in the configuration file: read-only here">Declared</span>}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
