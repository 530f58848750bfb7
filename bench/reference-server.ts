/**
 * The reference: bare oidc-provider with its default in-memory adapter, the bench's applications
 * and user, Gatehouse's lifetimes, and the smallest login and consent pages that do what
 * Gatehouse's do (a CSRF field, an argon2id check at the production parameters, a grant saved
 * at consent). Whatever Gatehouse costs beyond this is what the product adds around the engine.
 *
 * BENCH_REFERENCE_JWT=1 turns resource indicators on, answering the bench's resources with JWT
 * access tokens; the opaque scenarios run against a reference without it, as Gatehouse has it off.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { hash, verify } from '@node-rs/argon2';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { argon2Params, clientMetadata, jwtResources, ttl, user, type JwtAlg } from './fixture.js';

const port = Number(process.env.PORT);
const jwtMode = process.env.BENCH_REFERENCE_JWT === '1';
const issuer = `http://127.0.0.1:${port}`;
const accountId = 'bench-account';
const passwordHash = await hash(user.password, argon2Params);
const csrfKey = randomBytes(32);

async function signingKey(alg: JwtAlg) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: alg.toLowerCase() };
}

const algOf = new Map<string, JwtAlg>(Object.entries(jwtResources).map(([alg, resource]) => [resource, alg as JwtAlg]));

const configuration: Configuration = {
  clients: clientMetadata as Configuration['clients'],
  jwks: { keys: [await signingKey('RS256'), await signingKey('ES256')] as NonNullable<Configuration['jwks']>['keys'] },
  cookies: { keys: [randomBytes(32).toString('base64url')], long: { httpOnly: true, sameSite: 'lax' }, short: { httpOnly: true, sameSite: 'lax' } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  findAccount: async (_ctx, sub) => (sub === accountId ? { accountId, claims: async () => ({ sub, email: user.email, email_verified: true, name: user.name }) } : undefined),
  allowOmittingSingleRegisteredRedirectUri: false,
  pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: jwtMode
      ? {
          enabled: true,
          defaultResource: () => undefined as unknown as string,
          useGrantedResource: () => false,
          getResourceServerInfo: (_ctx, resource) => {
            const alg = algOf.get(resource);
            if (!alg) throw new Error(`unknown resource ${resource}`);
            return { scope: 'api', accessTokenFormat: 'jwt', jwt: { sign: { alg } } };
          },
        }
      : { enabled: false },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl,
};

const provider = new Provider(issuer, configuration);

function csrfFor(uid: string): string {
  return createHmac('sha256', csrfKey).update(uid).digest('base64url');
}

function csrfMatches(uid: string, presented: string | null): boolean {
  const expected = Buffer.from(csrfFor(uid));
  const given = Buffer.from(presented ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function formOf(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function page(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><body>${html}</body></html>`);
}

async function interaction(req: http.IncomingMessage, res: http.ServerResponse, uid: string, step: string | undefined): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, 'wrong interaction');
  if (req.method === 'GET' && !step) {
    const action = details.prompt.name === 'login' ? 'login' : 'consent';
    const fields = action === 'login' ? '<input name="username"><input name="password" type="password">' : '';
    return page(res, 200, `<form method="post" action="/interaction/${uid}/${action}"><input type="hidden" name="csrf" value="${csrfFor(uid)}">${fields}<button>Continue</button></form>`);
  }
  const form = await formOf(req);
  if (!csrfMatches(uid, form.get('csrf'))) return page(res, 403, 'bad csrf');
  if (step === 'login' && details.prompt.name === 'login') {
    const valid = form.get('username') === user.username && (await verify(passwordHash, form.get('password') ?? ''));
    if (!valid) return page(res, 401, 'wrong password');
    return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  }
  if (step === 'consent' && details.prompt.name === 'consent') {
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return page(res, 400, 'unexpected step');
}

/** Live sessions for the memory measurement, made by the engine's own Session model as a sign-in saves them. */
async function createSessions(count: number): Promise<number> {
  // The engine's models take their payload in the constructor, which its published types leave out.
  const Session = provider.Session as unknown as new (payload: { jti: string }) => InstanceType<typeof provider.Session>;
  for (let i = 0; i < count; i += 1) {
    const session = new Session({ jti: randomBytes(16).toString('base64url') });
    session.loginAccount({ accountId, loginTs: Math.floor(Date.now() / 1000) });
    await session.save(ttl.Session);
  }
  return count;
}

const engine = provider.callback();
const interactionUrl = /^\/interaction\/([\w-]+)(?:\/(login|consent))?$/;

http
  .createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const match = interactionUrl.exec(url.pathname);
    if (match) {
      interaction(req, res, match[1]!, match[2]).catch((error: Error) => page(res, 500, error.message));
    } else if (url.pathname === '/bench/sessions' && req.method === 'POST') {
      createSessions(Number(url.searchParams.get('count'))).then((n) => res.end(String(n)), (error: Error) => page(res, 500, error.message));
    } else {
      engine(req, res);
    }
  })
  .listen(port, '127.0.0.1');
