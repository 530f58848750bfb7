import assert from 'node:assert/strict';
import { secretOf } from '../../helpers/applications.js';
import type { Credentials } from '../../helpers/people.js';
import type { TestServer } from '../../helpers/start-server.js';
import { basicAuth, endpointBase, postToken } from '../../helpers/token-endpoint.js';

/**
 * A trusted first-party application that signs users in with the password grant. It names no
 * `scope`, so it may ask for any scope the engine knows: what a token releases then depends only
 * on the scopes as the engine has them now, which is what the management API changes.
 */
export const passwordApp = {
  client_id: 'portal',
  client_name: 'Staff portal',
  client_secret: secretOf('portal'),
  grant_types: ['password'],
};

/** The token endpoint's refusal, or what userinfo releases for a token of the user with these scopes, from this instance. */
export async function userinfoOf(server: TestServer, who: Credentials, scope: string): Promise<{ error: string } | { claims: Record<string, unknown> }> {
  const grant = await postToken(server, { grant_type: 'password', username: who.username, password: who.password, scope }, basicAuth(passwordApp.client_id, passwordApp.client_secret));
  if (grant.status !== 200) return { error: String(grant.body.error) };
  const response = await fetch(`${endpointBase(server)}/me`, { headers: { authorization: `Bearer ${grant.body.access_token as string}` } });
  assert.equal(response.status, 200, await response.clone().text());
  return { claims: (await response.json()) as Record<string, unknown> };
}

/** The claims userinfo releases; fails when the grant is refused. */
export async function claimsOf(server: TestServer, who: Credentials, scope: string): Promise<Record<string, unknown>> {
  const answer = await userinfoOf(server, who, scope);
  assert.ok('claims' in answer, `the password grant for "${scope}" was refused: ${'error' in answer ? answer.error : ''}`);
  return answer.claims;
}
