import { defaults } from '../src/config/defaults.js';

/**
 * What both servers are given: the same applications, the same user, the same lifetimes, so that
 * the only difference between them is what Gatehouse adds around the engine.
 */
export const redirectUri = 'https://app.bench.test/callback';

export const machine = { clientId: 'bench-machine', secret: 'bench-machine-secret-0123456789abcdefghij', scope: 'openid' };
export const web = { clientId: 'bench-web', secret: 'bench-web-secret-0123456789abcdefghijklmn', scope: 'openid profile email' };
/** Public: its refresh tokens rotate at each use, in both servers (oidc-provider's default for public clients). */
export const spa = { clientId: 'bench-spa', scope: 'openid profile offline_access' };

export const user = { username: 'bench-user', password: 'a bench password nobody would guess 7431', email: 'bench@example.test', name: 'Bench User' };

/** Gatehouse's token lifetimes (defaults.ttl), in oidc-provider's names, so that the reference keeps tokens as long. */
export const ttl = {
  AccessToken: defaults.ttl.accessToken,
  AuthorizationCode: defaults.ttl.authorizationCode,
  ClientCredentials: defaults.ttl.clientCredentials,
  IdToken: defaults.ttl.idToken,
  RefreshToken: defaults.ttl.refreshToken,
  Interaction: defaults.ttl.interaction,
  Session: defaults.ttl.session,
  Grant: defaults.ttl.grant,
};
/** Gatehouse's production argon2id parameters. */
export const argon2Params = defaults.argon2;

/** Resource indicators the reference answers with JWT access tokens, one per signing algorithm. */
export const jwtResources = { RS256: 'urn:bench:rs256', ES256: 'urn:bench:es256' } as const;
export type JwtAlg = keyof typeof jwtResources;

export const clientMetadata = [
  {
    client_id: machine.clientId,
    client_secret: machine.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: web.clientId,
    client_secret: web.secret,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: spa.clientId,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'none',
  },
];

/** Gatehouse's configuration file (YAML is a superset of JSON). */
export function gatehouseConfigFile(): string {
  return JSON.stringify({
    applications: clientMetadata.map((c) => ({ ...c, client_name: c.client_id })),
    users: [{ username: user.username, email: user.email, email_verified: true, password: user.password, name: user.name }],
    // The same API resources the JWT reference answers: scope `api`, one per signing algorithm.
    resources: (Object.entries(jwtResources) as Array<[JwtAlg, string]>).map(([alg, identifier]) => ({
      identifier, name: `Bench ${alg}`, scopes: [{ name: 'api', description: 'Call the bench API' }], signing_alg: alg,
    })),
  });
}
