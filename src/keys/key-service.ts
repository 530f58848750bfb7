import type { JWK } from 'jose';
import type { ChangeLog, ManagementChange } from '../audit/change-log.js';
import { keyView } from '../audit/record-views.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db, KeyStatus } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createEngineStateQueries } from '../db/queries/engine-state.js';
import { createKeyQueries, type KeyRow } from '../db/queries/keys.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { activatesAt, cookiePurpose, isDue, removedAt } from './key-timeline.js';
import { algorithmOf, keyPurposes, newKey, signingAlgorithms, type NewKey } from './new-keys.js';

/** A key's private part is sealed bound to its purpose and kid, so it cannot be opened as another row. */
const sealContext = (purpose: string, kid: string) => `${purpose}:${kid}`;
/** Keys from the fixed-slot layout were sealed with their slot (see the keys-by-kid migration). */
const legacySealContext = (purpose: string) => (purpose === cookiePurpose ? 'cookie:1' : purpose);

/** The engine signs with the first key of an algorithm it finds, so active keys come first. */
const statusOrder: Record<KeyStatus, number> = { active: 0, next: 1, retired: 2 };

export interface EngineKeys {
  /** Private signing keys as JWKs, for oidc-provider's `jwks`: every published key, the signing ones first. */
  signingKeys: JWK[];
  /** Keys oidc-provider signs its cookies with (the first) and still accepts (the rest). */
  cookieKeys: string[];
}

/** What may be shown of a key: never its private part. */
export interface KeySummary {
  kid: string;
  /** `signing:<alg>` or `cookie`. */
  purpose: string;
  /** The signing algorithm; undefined for the cookie key. */
  algorithm: string | undefined;
  status: KeyStatus;
  /** Epoch milliseconds, as every time below. */
  createdAt: number;
  statusChangedAt: number;
  /** A `next` key: when it starts signing, and the active key of its purpose retires. */
  activatesAt: number | undefined;
  /** A `retired` key: when it stops being published (signing keys) or accepted (cookie keys). */
  removedAt: number | undefined;
  /** A signing key's public JWK, as the JWKS publishes it; undefined for the cookie key. */
  publicJwk: JWK | undefined;
}

/** One change of a rotation step. */
export interface KeyChange {
  kid: string;
  purpose: string;
  change: 'activated' | 'retired' | 'removed';
}

export interface Rotation {
  /** The steps that were due and were applied first. */
  applied: KeyChange[];
  /** The new keys: `next`, or `active` at once. */
  stored: KeySummary[];
  /** The keys a rotation at once removed. */
  removed: KeySummary[];
}

export type KeyService = ReturnType<typeof createKeyService>;

/** Who generates the keys of a purpose that has none: every start makes sure there are some. */
const startActor: Actor = { kind: 'system', reason: 'keys generated at start' };

/** Another instance applied the same step between this one's read and its write. */
class LostRace extends Error {}

const byPurposeThenStatus = (a: KeyRow, b: KeyRow) =>
  keyPurposes.indexOf(a.purpose) - keyPurposes.indexOf(b.purpose) || statusOrder[a.status] - statusOrder[b.status] || a.created_at - b.created_at;

export function summaryOf(key: KeyRow): KeySummary {
  return {
    kid: key.kid, purpose: key.purpose, algorithm: algorithmOf(key.purpose), status: key.status,
    createdAt: key.created_at, statusChangedAt: key.status_changed_at, activatesAt: activatesAt(key), removedAt: removedAt(key),
    publicJwk: key.public_jwk ? (JSON.parse(key.public_jwk) as JWK) : undefined,
  };
}

/**
 * Signing and cookie keys, by kid and status. Private parts are sealed with the master secret,
 * bound to their purpose and kid (the slot, for keys from before); a signing key's kid is its
 * public key's thumbprint, which opening checks as well.
 *
 * Rotation is a change of status (docs/operations.md#key-rotation): `rotate` stores a `next` key
 * per purpose, published but not signing; `advanceRotations`, which every instance runs
 * periodically and the CLI runs too, activates it once it has been published long enough
 * (retiring the active one) and removes retired keys once nothing they signed can be presented.
 * Every change bumps the engine state in its transaction, so every instance rebuilds its engine.
 */
export function createKeyService({ db, box, clock, changes }: { db: Db; box: SecretBox; clock: Clock; changes: ChangeLog }) {
  const keys = createKeyQueries(db);
  /** A key's change of status, with its kid and purpose beside the status before and after. */
  const statusChange = (actor: Actor, type: 'key.activated' | 'key.retired', key: Pick<KeyRow, 'kid' | 'purpose'>, from: KeyStatus, to: KeyStatus): ManagementChange =>
    ({ type, actor, before: keyView({ ...key, status: from }), after: keyView({ ...key, status: to }), details: { kid: key.kid, purpose: key.purpose } });
  const removal = (actor: Actor, key: KeyRow): ManagementChange => ({ type: 'key.removed', actor, before: keyView(key), details: { kid: key.kid, purpose: key.purpose } });

  function row(key: NewKey, status: KeyStatus, now: number): KeyRow {
    const sealedAs = sealContext(key.purpose, key.kid);
    return {
      kid: key.kid, purpose: key.purpose, status, public_jwk: key.publicJwk && JSON.stringify(key.publicJwk),
      private_sealed: box.seal(key.secret, sealedAs), sealed_as: sealedAs, created_at: now, status_changed_at: now,
    };
  }

  /** Runs one change that signals the engines; one that another instance made first changes nothing (nor records anything). */
  async function changing(work: (trx: Db) => Promise<KeyChange[]>): Promise<KeyChange[]> {
    try {
      return await inTransaction(db, async (trx) => {
        // A rotation at once removes every purpose's keys while the due steps lock them in kid order: one goes first, whole.
        await createEngineStateQueries(trx).lock();
        const changes = await work(trx);
        if (changes.length > 0) await createEngineStateQueries(trx).bump();
        return changes;
      });
    } catch (error) {
      if (!(error instanceof LostRace) && !isUniqueViolation(error)) throw error;
      // Inside a caller's transaction nothing can be undone here: the caller's change fails instead.
      if (db.isTransaction) throw new GatehouseError('conflict', 'another instance changed the keys at the same moment; try again', { cause: error });
      return [];
    }
  }

  /** Generates an active key for every purpose that has none (the first start); true when one was stored. */
  async function ensure(): Promise<boolean> {
    const active = await keys.activePurposes();
    const missing = keyPurposes.filter((purpose) => !active.has(purpose));
    if (missing.length === 0) return false;
    const now = clock.now();
    const rows = await Promise.all(missing.map(async (purpose) => row(await newKey(purpose), 'active', now)));
    return inTransaction(db, async (trx) => {
      const queries = createKeyQueries(trx);
      const stored: KeyRow[] = [];
      // A concurrent first start may have activated its own key meanwhile: the first one stays.
      for (const key of rows) if (await queries.insertIfNoneActive(key)) stored.push(key);
      if (stored.length === 0) return false;
      await createEngineStateQueries(trx).bump();
      await changes.record(trx, stored.map((key) => ({ type: 'key.created', actor: startActor, after: keyView(key), details: { kid: key.kid, purpose: key.purpose } })));
      return true;
    });
  }

  /** A waiting key becomes active and the active key of its purpose retired, both or neither. */
  async function activate(trx: Db, actor: Actor, key: KeyRow, now: number): Promise<KeyChange[]> {
    const queries = createKeyQueries(trx);
    const retired = await queries.retireActive(key.purpose, now);
    // Already activated (or replaced) by another instance: undo the retirement with the rest.
    if (!(await queries.activate(key.kid, now))) throw new LostRace();
    await changes.record(trx, [
      ...retired.map((kid) => statusChange(actor, 'key.retired', { kid, purpose: key.purpose }, 'active', 'retired')),
      statusChange(actor, 'key.activated', key, 'next', 'active'),
    ]);
    return [
      ...retired.map((kid) => ({ kid, purpose: key.purpose, change: 'retired' as const })),
      { kid: key.kid, purpose: key.purpose, change: 'activated' },
    ];
  }

  async function remove(trx: Db, actor: Actor, key: KeyRow): Promise<KeyChange[]> {
    if (!(await createKeyQueries(trx).removeRetired(key.kid))) return [];
    await changes.record(trx, [removal(actor, key)]);
    return [{ kid: key.kid, purpose: key.purpose, change: 'removed' }];
  }

  /**
   * Applies every rotation step that is due, in one transaction: a `next` key published for long
   * enough becomes active, a retired key past its retention is removed. One change, so that no
   * engine is ever built with some of a rotation's new keys signing and not the others. Safe on
   * every instance at once: every change of keys first takes the engine counter's lock, so they
   * run one after the other, and each step is a conditional change; an instance that finds a
   * key activated already applies nothing, the one that came first having applied the same steps.
   */
  async function advanceRotations(actor: Actor): Promise<KeyChange[]> {
    const now = clock.now();
    const due = (await keys.all()).filter((candidate) => isDue(candidate, now)).sort((a, b) => (a.kid < b.kid ? -1 : 1));
    if (due.length === 0) return [];
    return changing(async (trx) => {
      const applied: KeyChange[] = [];
      for (const key of due) applied.push(...(key.status === 'next' ? await activate(trx, actor, key, now) : await remove(trx, actor, key)));
      return applied;
    });
  }

  /**
   * Starts a rotation of every key: a new signing key per algorithm and a new cookie key, stored
   * `next` (published, accepted, not signing). A rotation under way is refused. `immediately`
   * is for a compromised key: the new keys sign at once and every other key is removed at once.
   */
  async function rotate(actor: Actor, { immediately = false }: { immediately?: boolean } = {}): Promise<Rotation> {
    const applied = await advanceRotations(actor);
    if (!immediately) {
      const waiting = (await keys.all()).filter((key) => key.status === 'next');
      if (waiting.length > 0) {
        const activation = Math.min(...waiting.map((key) => activatesAt(key)!));
        throw new GatehouseError('conflict', `a key rotation is under way: its new keys become active at ${new Date(activation).toISOString()}; `
          + 'rotate again after that, or rotate at once (--now) if a key is compromised');
      }
    }
    const now = clock.now();
    const rows = await Promise.all(keyPurposes.map(async (purpose) => row(await newKey(purpose), immediately ? 'active' : 'next', now)));
    const removed = await inTransaction(db, async (trx) => {
      await createEngineStateQueries(trx).lock();
      const queries = createKeyQueries(trx);
      const replaced = immediately ? await queries.all() : [];
      for (const key of rows) {
        if (immediately) await queries.removePurpose(key.purpose);
        const stored = immediately ? await queries.insertIfNoneActive(key) : await queries.insertIfNoneWaiting(key);
        if (!stored) throw new GatehouseError('conflict', 'another key rotation was started at the same moment; see the keys as they are now');
      }
      await createEngineStateQueries(trx).bump();
      await changes.record(trx, [
        { type: 'key.rotation_started', actor, details: { immediately, keys: rows.map(keyView) } },
        ...replaced.map((key) => removal(actor, key)),
      ]);
      return replaced;
    });
    return { applied, stored: rows.map(summaryOf), removed: removed.sort(byPurposeThenStatus).map(summaryOf) };
  }

  /** Every stored key, public parts only: signing keys by algorithm, then the cookie key; active, next, retired. */
  async function list(): Promise<KeySummary[]> {
    return (await keys.all()).sort(byPurposeThenStatus).map(summaryOf);
  }

  function open(key: KeyRow): string {
    if (key.sealed_as !== sealContext(key.purpose, key.kid) && key.sealed_as !== legacySealContext(key.purpose)) {
      throw new Error(`key ${key.kid} claims to be sealed for another key`);
    }
    const secret = box.open(key.private_sealed, key.sealed_as);
    if (key.purpose !== cookiePurpose && (JSON.parse(secret) as JWK).kid !== key.kid) {
      throw new Error(`the sealed private key of ${key.kid} belongs to another key`);
    }
    return secret;
  }

  async function engineKeys(): Promise<EngineKeys> {
    const rows = await keys.all();
    const algOrder = (key: KeyRow) => signingAlgorithms.indexOf(algorithmOf(key.purpose)!);
    const byStatus = (a: KeyRow, b: KeyRow) => statusOrder[a.status] - statusOrder[b.status];
    return {
      signingKeys: rows.filter((key) => key.purpose !== cookiePurpose)
        .sort((a, b) => byStatus(a, b) || algOrder(a) - algOrder(b))
        .map((key) => JSON.parse(open(key)) as JWK),
      cookieKeys: rows.filter((key) => key.purpose === cookiePurpose).sort(byStatus).map(open),
    };
  }

  return { ensure, engineKeys, list, rotate, advanceRotations };
}
