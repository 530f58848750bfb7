import { randomBytes } from 'node:crypto';
import { genericGrantRequest, ResponseBodyError, WWWAuthenticateChallengeError, type Configuration } from 'openid-client';
import { connectionUrls, type OidcConnection } from './connection.js';
import { asUpstreamError, endpointProblems, issuerProblem, type Upstreams } from './upstream.js';

/** What Test connection checks, in order; each later one needs the earlier ones. */
export type ConnectionCheckName = 'metadata' | 'issuer' | 'endpoints' | 'jwks' | 'client_credentials' | 'key';

export interface ConnectionCheck {
  check: ConnectionCheckName;
  ok: boolean;
  /** What was found, or why it fails, in words an administrator can act on. */
  detail: string;
}

export interface ConnectionTestReport {
  connectionId: string;
  /** Every check passed. */
  ok: boolean;
  checks: ConnectionCheck[];
  /**
   * A URL that signs in through the upstream for real and shows the claims received and the
   * local user they map to, creating nothing; present when every check passed and the sign-in
   * flow offers one (ConnectionServiceDeps.testSignInUrl).
   */
  signInUrl: string | undefined;
}

/** Starts the real round trip of Test connection; given by the composition root, which has the sign-in flow. */
export type TestSignInUrl = (connection: OidcConnection) => Promise<string>;

/** The kinds of key that sign id_tokens (RFC 7518 §6); `enc` keys and keys only for other operations do not count. */
export function signingKeys(jwks: unknown): Array<{ kid?: string; kty: string }> {
  const keys = (jwks as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) return [];
  return keys.filter((key: { kty?: unknown; use?: unknown; key_ops?: unknown }) =>
    ['RSA', 'EC', 'OKP'].includes(String(key?.kty)) && key.use !== 'enc' && (!Array.isArray(key.key_ops) || key.key_ops.includes('verify')));
}

async function checkJwks(connection: OidcConnection, upstreams: Upstreams, jwksUri: string): Promise<ConnectionCheck> {
  try {
    const response = await upstreams.fetchFor(connection)(jwksUri, { headers: { accept: 'application/json, application/jwk-set+json' } });
    if (response.status !== 200) return { check: 'jwks', ok: false, detail: `${jwksUri} answered with HTTP ${response.status} instead of the key set` };
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { check: 'jwks', ok: false, detail: `${jwksUri} did not answer with JSON` };
    }
    const keys = signingKeys(body);
    if (keys.length === 0) return { check: 'jwks', ok: false, detail: `${jwksUri} has no signing keys, so no id_token from this upstream could be verified` };
    const kids = keys.map((key) => key.kid ?? `(${key.kty} without kid)`).join(', ');
    return { check: 'jwks', ok: true, detail: `${keys.length} signing key${keys.length === 1 ? '' : 's'} at ${jwksUri}: ${kids}` };
  } catch (error) {
    return { check: 'jwks', ok: false, detail: asUpstreamError(connection, error).message };
  }
}

const refusedCredentials = (connection: OidcConnection, said: string) => ({
  check: 'client_credentials' as const,
  ok: false,
  detail: `the upstream refused the client ID and secret (${said}): check client_id and client_secret, and that token_endpoint_auth_method `
    + `(${connection.tokenEndpointAuthMethod}) is what the upstream expects (OneLogin's "POST" is client_secret_post)`,
});

/**
 * The upstream can tell whether it accepts the client's credentials without anyone signing in:
 * a token request with a code that cannot exist is refused with `invalid_client` when they are
 * wrong, and with `invalid_grant` (the code) once they were accepted (RFC 6749 §5.2).
 */
async function checkCredentials(connection: OidcConnection, configuration: Configuration, publicOrigin: string | undefined): Promise<ConnectionCheck> {
  const parameters: Record<string, string> = { code: `gatehouse-test-${randomBytes(16).toString('base64url')}` };
  if (publicOrigin) parameters.redirect_uri = connectionUrls(publicOrigin, connection.id).redirectUri;
  try {
    await genericGrantRequest(configuration, 'authorization_code', parameters);
    return { check: 'client_credentials', ok: false, detail: 'the upstream issued tokens for a code that does not exist: it cannot be trusted to check codes' };
  } catch (error) {
    if (error instanceof ResponseBodyError) {
      const said = `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
      if (error.error === 'invalid_client' || error.status === 401) return refusedCredentials(connection, said);
      if (error.error === 'invalid_grant') return { check: 'client_credentials', ok: true, detail: 'accepted: the upstream refused only the made-up code (invalid_grant)' };
      if (error.error === 'unauthorized_client') {
        return { check: 'client_credentials', ok: false, detail: `accepted, but the upstream does not let this client use the authorization code grant (${said}): enable it for the application there` };
      }
      return { check: 'client_credentials', ok: true, detail: `not refused, though the upstream's answer (${said}) does not prove them right; a sign-in will` };
    }
    if (error instanceof WWWAuthenticateChallengeError) {
      // A 401 with a challenge (RFC 6749 §5.2 for Basic authentication); its parameters carry the OAuth error.
      const { error: code, error_description: description } = error.cause[0]?.parameters ?? {};
      return refusedCredentials(connection, code ? `${code}${description ? `: ${description}` : ''}` : `HTTP ${error.status}`);
    }
    return { check: 'client_credentials', ok: false, detail: asUpstreamError(connection, error).message };
  }
}

const notChecked = (check: ConnectionCheckName, because: string): ConnectionCheck => ({ check, ok: false, detail: `not checked: ${because}` });

/** Runs every check of a connection's setup; it never throws for what it finds wrong, it reports it. */
export async function testConnection(
  connection: OidcConnection,
  { upstreams, publicOrigin, testSignInUrl }: { upstreams: Upstreams; publicOrigin: string | undefined; testSignInUrl: TestSignInUrl | undefined },
): Promise<ConnectionTestReport> {
  const checks: ConnectionCheck[] = [];
  const report = (): ConnectionTestReport => ({ connectionId: connection.id, ok: checks.every((c) => c.ok), checks, signInUrl: undefined });
  const discovered = 'discoveryUrl' in connection.metadata;
  let configuration: Configuration;
  try {
    configuration = await upstreams.load(connection);
    checks.push({ check: 'metadata', ok: true, detail: discovered ? `read the discovery document at ${(connection.metadata as { discoveryUrl: string }).discoveryUrl}` : 'the endpoints are configured by hand' });
  } catch (error) {
    const { message: detail } = asUpstreamError(connection, error);
    checks.push({ check: 'metadata', ok: false, detail: `${discovered ? 'could not read the discovery document' : 'the endpoints cannot be used'}: ${detail}` });
    for (const check of ['issuer', 'endpoints', 'jwks', 'client_credentials'] as const) checks.push(notChecked(check, 'the upstream\'s metadata could not be read'));
    return report();
  }
  const metadata = configuration.serverMetadata();
  const wrongIssuer = issuerProblem(connection, metadata);
  checks.push(wrongIssuer
    ? { check: 'issuer', ok: false, detail: wrongIssuer }
    : { check: 'issuer', ok: true, detail: discovered ? `the discovery document names the expected issuer ${metadata.issuer}` : `id_tokens must come from ${metadata.issuer} (configured by hand)` });
  const problems = endpointProblems(metadata, upstreams.allowPrivate);
  checks.push(problems.length > 0
    ? { check: 'endpoints', ok: false, detail: problems.join('; ') }
    : { check: 'endpoints', ok: true, detail: `authorization ${metadata.authorization_endpoint}, token ${metadata.token_endpoint}, keys ${metadata.jwks_uri}` });
  const usable = (field: string) => !problems.some((problem) => problem.startsWith(`${field}:`));
  checks.push(usable('jwks_uri') ? await checkJwks(connection, upstreams, metadata.jwks_uri!) : notChecked('jwks', 'jwks_uri is not usable'));
  checks.push(usable('token_endpoint') ? await checkCredentials(connection, configuration, publicOrigin) : notChecked('client_credentials', 'token_endpoint is not usable'));
  const result = report();
  if (result.ok && testSignInUrl) result.signInUrl = await testSignInUrl(connection);
  return result;
}
