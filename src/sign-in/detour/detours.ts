import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { defaults } from '../../config/defaults.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Db, DetourPurpose } from '../../db/database.js';
import { inTransaction } from '../../db/in-transaction.js';
import { createSignInDetourQueries, type SignInDetourRow } from '../../db/queries/sign-in-detours.js';
import type { Clock } from '../../runtime/clock.js';
import { bindingHash } from './browser-binding.js';

/** What the other site proved at the callback: the identity and the claims the connection's rules read. */
export interface ProvedIdentity {
  issuer: string;
  /** Who the other site says the user is; empty when a partner's token names no `sub` (its email identifies the user). */
  subject: string;
  claims: Record<string, unknown>;
  /** An upstream's id_token, kept to name the upstream session when the user signs out (id_token_hint); none from a partner. */
  idToken: string | undefined;
}

export interface Detour {
  stateHash: string;
  purpose: DetourPurpose;
  interactionUid: string | undefined;
  connectionId: string;
  /** An upstream's trip only: the id_token's nonce and the PKCE verifier. */
  nonce: string | undefined;
  codeVerifier: string | undefined;
  redirectUri: string;
  identity: ProvedIdentity | undefined;
}

export interface Departure {
  purpose: DetourPurpose;
  interactionUid: string | undefined;
  connectionId: string;
  redirectUri: string;
  /** The browser binding's value (the cookie); only its hash is stored. */
  binding: string;
  /** Never past the interaction's own expiry. */
  notAfter: number | undefined;
}

/** The values that travel with the trip; `state` is stored only hashed. */
export interface Departed {
  state: string;
  expiresAt: number;
}

/** An upstream's trip also carries the id_token's nonce and the PKCE verifier. */
export interface DepartedUpstream extends Departed {
  nonce: string;
  codeVerifier: string;
}

/**
 * Why a return is refused: `unknown` state (tampered, or swept), `other_browser` (no binding
 * cookie or another one: opened elsewhere, or login CSRF), `expired`, `used` (a replay).
 */
export type DetourRefusal = 'unknown' | 'other_browser' | 'expired' | 'used';

export type DetourReturn = { ok: true; detour: Detour } | { ok: false; refusal: DetourRefusal; detour: Detour | undefined };

const stateHashOf = (state: string) => createHash('sha256').update(state).digest('hex');
const ticketHashOf = (ticket: string) => createHash('sha256').update(`ticket ${ticket}`).digest('hex');

/**
 * The claims and the upstream's id_token are personal data and a bearer of the upstream session:
 * sealed at rest with the master secret, bound to their row and column, as client secrets are.
 */
const sealContext = (stateHash: string, column: 'identity_claims' | 'upstream_id_token') => `sign_in_detours ${stateHash} ${column}`;

function toDetour(row: SignInDetourRow, box: SecretBox): Detour {
  const opened = (column: 'identity_claims' | 'upstream_id_token') => {
    const sealed = row[column];
    return sealed === null ? undefined : box.open(sealed, sealContext(row.state_hash, column));
  };
  const identity = row.identity_issuer !== null && row.identity_subject !== null
    ? {
        issuer: row.identity_issuer,
        subject: row.identity_subject,
        claims: JSON.parse(opened('identity_claims') ?? '{}') as Record<string, unknown>,
        idToken: opened('upstream_id_token'),
      }
    : undefined;
  return {
    stateHash: row.state_hash,
    purpose: row.purpose,
    interactionUid: row.interaction_uid ?? undefined,
    connectionId: row.connection_id,
    nonce: row.nonce ?? undefined,
    codeVerifier: row.code_verifier ?? undefined,
    redirectUri: row.redirect_uri,
    identity,
  };
}

export type Detours = ReturnType<typeof createDetours>;

/** Undoes a partner return's transaction. */
class Refused extends Error {
  constructor(readonly outcome: 'used' | 'refused') {
    super(outcome);
  }
}

/**
 * The detour store, for every method whose sign-in goes through another site (upstream
 * providers, partners): rows in the database, never process memory, since the browser may come
 * back to any instance. Each return is checked in the same order: the state names a row, the
 * browser is the one that left, the row is unexpired, and then it is taken once.
 */
export function createDetours({ db, box, clock }: { db: Db; box: SecretBox; clock: Clock }) {
  const queries = createSignInDetourQueries(db);

  async function checkReturn(
    state: string,
    binding: string | undefined,
    take: (row: SignInDetourRow, now: number) => Promise<boolean>,
    belongs: (row: SignInDetourRow) => boolean = () => true,
  ): Promise<DetourReturn> {
    const row = await queries.find(stateHashOf(state));
    if (!row || !belongs(row)) return { ok: false, refusal: 'unknown', detour: undefined };
    const detour = toDetour(row, box);
    if (binding === undefined || bindingHash(binding) !== row.binding_hash) return { ok: false, refusal: 'other_browser', detour };
    const now = clock.now();
    if (row.expires_at <= now) return { ok: false, refusal: 'expired', detour };
    if (!(await take(row, now))) return { ok: false, refusal: 'used', detour };
    return { ok: true, detour };
  }

  async function depart(departure: Departure, proofs: { nonce: string; codeVerifier: string } | undefined): Promise<Departed> {
    const now = clock.now();
    const expiresAt = Math.min(now + defaults.connections.detourSeconds * 1000, departure.notAfter ?? Number.POSITIVE_INFINITY);
    const state = randomBytes(32).toString('base64url');
    await queries.insert({
      state_hash: stateHashOf(state),
      purpose: departure.purpose,
      interaction_uid: departure.interactionUid ?? null,
      connection_id: departure.connectionId,
      binding_hash: bindingHash(departure.binding),
      nonce: proofs?.nonce ?? null,
      code_verifier: proofs?.codeVerifier ?? null,
      redirect_uri: departure.redirectUri,
      created_at: now,
      expires_at: expiresAt,
    });
    return { state, expiresAt };
  }

  function recordIdentity(trx: Db, detour: Detour, identity: ProvedIdentity, ticket?: string): Promise<void> {
    return createSignInDetourQueries(trx).recordIdentity(detour.stateHash, {
      identity_issuer: identity.issuer,
      identity_subject: identity.subject,
      identity_claims: box.seal(JSON.stringify(identity.claims), sealContext(detour.stateHash, 'identity_claims')),
      upstream_id_token: identity.idToken === undefined ? null : box.seal(identity.idToken, sealContext(detour.stateHash, 'upstream_id_token')),
      return_ticket_hash: ticket === undefined ? null : ticketHashOf(ticket),
    });
  }

  return {
    /** A trip to an upstream OpenID Connect provider, with the nonce and PKCE verifier its return must match. */
    async departToUpstream(departure: Departure): Promise<DepartedUpstream> {
      const proofs = { nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
      return { ...(await depart(departure, proofs)), ...proofs };
    },
    /** A trip to a partner, whose return is a signed JWT. */
    departToPartner: (departure: Departure): Promise<Departed> => depart(departure, undefined),
    /** The upstream's redirect to the callback: taken once, before any code is redeemed. */
    takeCallback: (state: string, binding: string | undefined) => checkReturn(state, binding, (row, now) => queries.markReturned(row.state_hash, now)),
    recordIdentity: (detour: Detour, identity: ProvedIdentity) => recordIdentity(db, detour, identity),
    /**
     * A partner's return, before it is taken: the state names an unexpired, unused sign-in
     * detour of this connection, and a GET comes from the browser that left (its binding
     * cookie). A partner's cross-site POST carries no Lax cookie (`binding: 'not_sent'`): the hop
     * back under the interaction (takeCompletion) checks the binding then.
     */
    async findPartnerReturn(state: string, connectionId: string, binding: string | undefined | 'not_sent'): Promise<DetourReturn> {
      const row = await queries.find(stateHashOf(state));
      if (!row || row.connection_id !== connectionId || row.purpose !== 'sign_in') return { ok: false, refusal: 'unknown', detour: undefined };
      const detour = toDetour(row, box);
      if (binding !== 'not_sent' && (binding === undefined || bindingHash(binding) !== row.binding_hash)) return { ok: false, refusal: 'other_browser', detour };
      if (row.expires_at <= clock.now()) return { ok: false, refusal: 'expired', detour };
      if (row.returned_at !== null) return { ok: false, refusal: 'used', detour };
      return { ok: true, detour };
    },
    /**
     * Takes a partner's return once and records the identity its token proved, in one
     * transaction with `alsoOnce` (the token id's single use): false from it, or the return taken
     * by another request meanwhile, leaves everything as it was. Taken, it hands out a one-time
     * ticket for the browser the return came in: the hop back must show it (takeCompletion), so
     * that only that browser, and only if it is also the one that left, finishes the sign-in.
     */
    async takePartnerReturn(detour: Detour, identity: ProvedIdentity, alsoOnce: (trx: Db) => Promise<boolean>): Promise<{ taken: true; ticket: string } | { taken: false; outcome: 'used' | 'refused' }> {
      const ticket = randomBytes(32).toString('base64url');
      try {
        return await inTransaction(db, async (trx) => {
          if (!(await alsoOnce(trx))) throw new Refused('refused');
          if (!(await createSignInDetourQueries(trx).markReturned(detour.stateHash, clock.now()))) throw new Refused('used');
          await recordIdentity(trx, detour, identity, ticket);
          return { taken: true as const, ticket };
        });
      } catch (error) {
        if (error instanceof Refused) return { taken: false, outcome: error.outcome };
        throw error;
      }
    },
    /**
     * The hop back, under the interaction `interactionUid` (undefined: a test's result page):
     * taken once, and only once the callback stored an identity (and, after a partner's return,
     * with the ticket that return handed out). A sign-in's detour is then kept
     * as long as the prompts that follow the login may take (an interaction's lifetime, from
     * now: the consent page's interaction is made at the resume just after), since the upstream
     * session is recorded only when the login goes into a session (completedFor, at `resume`).
     */
    takeCompletion: (state: string, binding: string | undefined, interactionUid: string | undefined, ticket?: string) =>
      checkReturn(
        state,
        binding,
        (row, now) => queries.markCompleted(row.state_hash, now, interactionUid === undefined ? row.expires_at : Math.max(row.expires_at, now + defaults.ttl.interaction * 1000)),
        (row) => (row.interaction_uid ?? undefined) === interactionUid && (row.purpose === 'test') === (interactionUid === undefined)
          && (row.return_ticket_hash === null || (ticket !== undefined && ticketHashOf(ticket) === row.return_ticket_hash)),
      ),
    /** Whether this interaction has been away to an upstream before. */
    wasAway: (interactionUid: string) => queries.anyFor(interactionUid),
    /** The detour that finished this interaction's sign-in, if one did. */
    async completedFor(interactionUid: string): Promise<Detour | undefined> {
      const row = await queries.completedFor(interactionUid);
      return row && toDetour(row, box);
    },
  };
}
