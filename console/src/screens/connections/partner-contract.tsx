import { CopyValue } from '../../ui/copy';
import { jwtCallbackUrl, partnerStartUrl, publicOrigin } from './urls';

export type KeyKind = 'secret' | 'public_key' | 'jwks_uri';

export interface ContractTerms {
  id: string;
  signInUrl: string;
  keyKind: KeyKind;
  /** The allow-list as declared; empty: the default of the key's kind. */
  algorithms: readonly string[];
  issuer: string;
  audience: string;
  requireJti: boolean;
  maxTokenAgeSeconds: number;
  clockSkewSeconds: number;
  /** The API's callback_url, when there is one (the connection exists). */
  callbackUrl?: string | null;
}

/** What the allow-list is when the connection names none (src/connections/jwt-connection-schema.ts, effectiveAlgorithms). */
function algorithmsIn(terms: ContractTerms): string {
  if (terms.algorithms.length > 0) return terms.algorithms.join(', ');
  if (terms.keyKind === 'secret') return 'HS256';
  if (terms.keyKind === 'jwks_uri') return 'RS256, PS256, ES256 or EdDSA';
  return 'the usual one for the key: RS256 (RSA), PS256 (RSA-PSS), ES256/384/512 (EC), EdDSA (Ed25519)';
}

const keyIn = (kind: KeyKind) => ({
  secret: 'the shared secret (its UTF-8 bytes, exactly as written)',
  public_key: 'the partner\'s private key, whose public key Gatehouse holds',
  jwks_uri: 'a private key whose public key the partner publishes in its key set, with its kid in the header',
}[kind]);

/**
 * The redirect contract a partner implements (docs/connections/jwt-sso.md, condensed): where the
 * browser arrives, the token it sends back, and the claims and limits Gatehouse holds it to.
 */
export function PartnerContract({ terms }: { terms: ContractTerms }) {
  const callback = terms.callbackUrl ?? jwtCallbackUrl(terms.id);
  const now = Math.floor(Date.now() / 1000);
  const lifetime = Math.min(120, terms.maxTokenAgeSeconds);
  const example: Record<string, unknown> = {
    ...(terms.issuer ? { iss: terms.issuer } : {}),
    ...(terms.audience ? { aud: terms.audience } : {}),
    iat: now,
    exp: now + lifetime,
    ...(terms.requireJti ? { jti: '8f14e45f-ceea-467a-9c3d-2a6e5d0b8f3a' } : {}),
    sub: '123456',
    email: 'johndoe@example.com',
    given_name: 'John',
    family_name: 'Doe',
    groups: ['staff'],
  };
  const claims: { claim: string; rule: string; required: boolean }[] = [
    { claim: 'exp', required: true, rule: `Expiry, in seconds since the epoch; at most ${terms.maxTokenAgeSeconds} s after iat (or now). Two minutes is plenty.` },
    { claim: 'jti', required: terms.requireJti, rule: terms.requireJti ? 'A new unique id (a UUID) for every token; each is accepted once.' : 'Optional here; a jti that is sent is still accepted once.' },
    { claim: 'iat', required: false, rule: `Recommended: issued-at; not in the future, not older than ${terms.maxTokenAgeSeconds} s.` },
    { claim: 'iss', required: terms.issuer !== '', rule: terms.issuer ? `Must be exactly ${terms.issuer}.` : 'Not checked (set an issuer on the connection to require it).' },
    { claim: 'aud', required: terms.audience !== '', rule: terms.audience ? `Must be ${terms.audience}, or a list containing it.` : 'Not checked (set an audience on the connection to require it).' },
    { claim: 'sub / email', required: true, rule: 'At least one: sub is the partner\'s stable id for the person (recommended), email their address.' },
    { claim: 'given_name, family_name', required: false, rule: 'Optional names; without them the account gets a generated name.' },
    { claim: 'groups', required: false, rule: 'Optional list: the person\'s groups here become exactly this list (never gatehouse-admins).' },
  ];
  return (
    <div className="contract">
      <ol className="contract-steps">
        <li>
          Gatehouse sends the browser to the partner&apos;s sign-in page{terms.signInUrl ? <> (<code>{terms.signInUrl}</code>)</> : null} with
          one query parameter, <code>gatehouse_callback_url</code>: the callback URL below with a <code>state</code> of Gatehouse&apos;s own.
        </li>
        <li>The partner signs the person in as usual and signs a token for them, with {keyIn(terms.keyKind)}.</li>
        <li>
          It sends the browser to <strong>exactly</strong> that <code>gatehouse_callback_url</code>, adding <code>token=&lt;jwt&gt;</code>: by a
          redirect (GET, the state kept in the query) or, better, a form POST with a <code>token</code> field. It sends a token only to a URL that starts with the callback URL.
        </li>
      </ol>
      <CopyValue label="Callback URL (gatehouse_callback_url starts with it)" value={callback} hint="The state is single use, bound to the browser that left, and expires after 10 minutes." />
      <CopyValue label="Sign-in link for the partner's own pages" value={`${partnerStartUrl(terms.id)}?returnUrl=/`} hint="Starts a sign-in through the partner and ends on returnUrl, a path of Gatehouse's own." />
      <dl className="facts contract-facts">
        <dt>Algorithm</dt>
        <dd>{algorithmsIn(terms)}; never <code>none</code>.</dd>
        <dt>Token</dt>
        <dd>A compact JWS of at most 8 KiB, claims left out rather than empty or null.</dd>
        <dt>Lifetime</dt>
        <dd>exp at most {terms.maxTokenAgeSeconds} s after iat; clocks may differ by {terms.clockSkewSeconds} s.</dd>
      </dl>
      <table className="list claims-table">
        <thead>
          <tr><th scope="col">Claim</th><th scope="col">Required</th><th scope="col">Rule</th></tr>
        </thead>
        <tbody>
          {claims.map((row) => (
            <tr key={row.claim}>
              <td data-label="Claim"><code>{row.claim}</code></td>
              <td data-label="Required">{row.required ? <span className="badge badge-accent">required</span> : <span className="badge">optional</span>}</td>
              <td data-label="Rule">{row.rule}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="contract-example-label">A token&apos;s payload as Gatehouse recommends it:</p>
      <pre className="json">{JSON.stringify(example, null, 2)}</pre>
      <p className="field-hint">
        The whole contract, with Node.js and Python examples and every refusal reason: docs/connections/jwt-sso.md. Gatehouse&apos;s address here is <code>{publicOrigin()}</code>.
      </p>
    </div>
  );
}
