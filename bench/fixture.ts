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

/** Gatehouse's defaults (src/config/defaults.ts), repeated for the reference: a change there should be mirrored here. */
export const ttl = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  ClientCredentials: 10 * 60,
  IdToken: 60 * 60,
  RefreshToken: 14 * 24 * 60 * 60,
  Interaction: 60 * 60,
  Session: 14 * 24 * 60 * 60,
  Grant: 14 * 24 * 60 * 60,
};
/** Gatehouse's production argon2id parameters (defaults.argon2). */
export const argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

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
  });
}
