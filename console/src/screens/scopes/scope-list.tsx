import { Link } from 'wouter';
import { api, query, type Page as Listing } from '../../api/api-client';
import { Page, Section } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading, SuccessNotice } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import type { ApiResource, Scope, StandardScope } from './types';

/** Every item of a short listing (scopes, APIs), page after page. */
async function allOf<Item, Extra = object>(path: string): Promise<{ items: Item[] } & Partial<Extra>> {
  const items: Item[] = [];
  let cursor: string | undefined;
  let last: Listing<Item> & Partial<Extra>;
  do {
    last = await api<Listing<Item> & Partial<Extra>>('GET', `${path}${query({ limit: 200, cursor })}`);
    items.push(...last.items);
    cursor = last.next_cursor ?? undefined;
  } while (cursor);
  return { ...last, items };
}

export function Claims({ claims, label = 'Claims' }: { claims: readonly string[]; label?: string }) {
  return (
    <ul className="scopes-claims" aria-label={label}>
      {claims.map((claim) => <li key={claim}><code>{claim}</code></li>)}
    </ul>
  );
}

export function ScopeList({ notice }: { notice?: string | undefined }) {
  const scopes = useLoad(() => allOf<Scope, { standard: StandardScope[] }>('/scopes'), []);
  const resources = useLoad(() => allOf<ApiResource>('/resources'), []);
  const addButton = <Link href="/new" className="button button-primary">Add a scope</Link>;

  return (
    <Page
      title="Scopes"
      description="A scope is what an application asks for to receive a set of claims about the user; add custom ones for claims the standard scopes do not carry."
      actions={addButton}
    >
      <SuccessNotice>{notice}</SuccessNotice>
      <Section title="Custom scopes">
        <ErrorNotice error={scopes.error} />
        {!scopes.data && !scopes.error && <Loading rows={3} />}
        {scopes.data && scopes.data.items.length === 0 && (
          <EmptyState title="No custom scopes yet" action={<Link href="/new" className="button">Add a scope</Link>}>
            Add a custom scope when an application needs claims beyond the standard ones.
          </EmptyState>
        )}
        {scopes.data && scopes.data.items.length > 0 && (
          <div className="scopes-table"><table className="list">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Claims</th><th scope="col"><span className="visually-hidden">Source</span></th></tr>
            </thead>
            <tbody>
              {scopes.data.items.map((scope) => (
                <tr key={scope.name}>
                  <td data-label="Name"><Link href={`/${scope.name}`}><code>{scope.name}</code></Link></td>
                  <td data-label="Description">{scope.description}</td>
                  <td data-label="Claims"><Claims claims={scope.claims} /></td>
                  <td data-label="Source">{scope.declared && <span className="badge" title="Declared in the configuration file: read-only here">Configuration file</span>}</td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </Section>

      <Section title="Standard scopes">
        <p className="scopes-section-note">Built into Gatehouse and always available; they cannot be changed, and no custom scope can take their names.</p>
        {!scopes.data?.standard && !scopes.error && <Loading rows={4} />}
        {scopes.data?.standard && (
          <dl className="scopes-standard">
            {scopes.data.standard.map((scope) => (
              <div key={scope.name} className="scopes-standard-row">
                <dt>{scope.name}</dt>
                <dd>
                  <p>{scope.description}</p>
                  {scope.claims.length > 0 && <Claims claims={scope.claims} />}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </Section>

      <Section title="APIs">
        <p className="scopes-section-note">Your APIs that applications get access tokens for (the <code>resource</code> parameter), with the scopes each one understands.</p>
        <ErrorNotice error={resources.error} />
        {!resources.data && !resources.error && <Loading rows={2} />}
        {resources.data && resources.data.items.length === 0 && (
          <EmptyState title="No APIs yet">
            Declare an API in the configuration file's <code>resources</code> (or with POST /api/v1/resources) when an application needs access tokens for one of your services.
          </EmptyState>
        )}
        {resources.data && resources.data.items.length > 0 && (
          <div className="scopes-table"><table className="list">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Identifier</th><th scope="col">Scopes</th><th scope="col">Access tokens</th></tr>
            </thead>
            <tbody>
              {resources.data.items.map((resource) => (
                <tr key={resource.identifier}>
                  <td data-label="Name">
                    {resource.name}
                    {resource.declared && <> <span className="badge">Configuration file</span></>}
                  </td>
                  <td data-label="Identifier"><code>{resource.identifier}</code></td>
                  <td data-label="Scopes">{resource.scopes.length > 0 ? <Claims label="Scopes" claims={resource.scopes.map((scope) => scope.name)} /> : 'None'}</td>
                  <td data-label="Tokens">
                    {resource.access_token_format === 'jwt' ? `JWT, ${resource.signing_alg}` : 'Opaque'}, {formatSeconds(resource.access_token_ttl_seconds)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </Section>
    </Page>
  );
}

function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
