import type { Db } from '../db/database.js';
import { createOidcModelQueries } from '../db/queries/oidc-models.js';
import { createSessionDeviceQueries } from '../db/queries/session-devices.js';

/**
 * A browser session the engine keeps for a user. Its id is the session cookie's value, so it is
 * never shown: the engine's `uid` names the session instead.
 */
export interface SessionSummary {
  uid: string;
  /** The applications signed in through it. */
  clientIds: string[];
  /** How the person proved who they are (RFC 8176), when the sign-in said. */
  amr: string[] | undefined;
  /** Epoch milliseconds. */
  signedInAt: number | undefined;
  createdAt: number | undefined;
  expiresAt: number | null;
}

/** A session with what its latest authorization told of the browser (session-devices.ts), when one was recorded. */
export interface SessionWithDevice extends SessionSummary {
  userAgent: string | undefined;
  ipAddress: string | undefined;
  /** Epoch milliseconds of the latest authorization through the session. */
  lastSeenAt: number | undefined;
}

/** A grant: what one application may obtain for the user; its id names no token and unlocks nothing. */
export interface GrantSummary {
  id: string;
  clientId: string | undefined;
  /** The OpenID scopes granted, space-separated. */
  scope: string | undefined;
  createdAt: number | undefined;
  expiresAt: number | null;
}

/**
 * The one way the rest of Gatehouse reads and ends what the protocol engine holds for a user.
 * The engine's rows are the engine's: services call this port, never the oidc_models table.
 */
export interface Sessions {
  /** The account's sessions and grants that have not expired at `now`, oldest first; never a token, code or cookie. */
  listOf(accountId: string, now: number): Promise<{ sessions: SessionSummary[]; grants: GrantSummary[] }>;
  /** Ends every session, grant, code and token of the account, so that introspection stops calling them active. */
  endAllOf(accountId: string): Promise<void>;
  /** Ends every grant, code and token of an application (a deleted one), whoever they were issued for. */
  endAllOfClient(clientId: string): Promise<void>;
  /** The account's sessions that have not expired, oldest first, each with its device, address and last use. */
  listWithDevices(accountId: string, now: number): Promise<SessionWithDevice[]>;
  /** Ends one session of the account with the grants (and so the codes and tokens) of its applications; false when the account has no such session. */
  endSession(accountId: string, sessionUid: string, now: number): Promise<boolean>;
  /**
   * Ends every session of the account but the one kept, and every grant, code and token of the
   * account but those of the kept session's applications; how many sessions ended.
   */
  endAllBut(accountId: string, keptSessionUid: string, now: number): Promise<number>;
  /** Ends the account's grants for one application, with their codes and tokens; how many grants ended. */
  endGrantsOf(accountId: string, clientId: string, now: number): Promise<number>;
}

/** The engine's models that belong to one application; sessions span applications and stay. */
const clientModels = ['Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken', 'ClientCredentials', 'PushedAuthorizationRequest', 'DeviceCode', 'BackchannelAuthenticationRequest'];

/** The parts of the engine's Session and Grant payloads shown; times in seconds, as the engine keeps them. */
interface StoredPayload {
  iat?: number;
  loginTs?: number;
  amr?: string[];
  authorizations?: Record<string, unknown>;
  clientId?: string;
  openid?: { scope?: string };
}

/** The grants a session's applications hold, from the engine's Session payload: `authorizations[clientId].grantId`. */
function grantIdsOf(payload: StoredPayload): string[] {
  return Object.values(payload.authorizations ?? {}).flatMap((authorization) => {
    const grantId = (authorization as { grantId?: unknown } | null)?.grantId;
    return typeof grantId === 'string' ? [grantId] : [];
  });
}

const milliseconds = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);
const oldestFirst = (a: { createdAt: number | undefined }, b: { createdAt: number | undefined }) => (a.createdAt ?? 0) - (b.createdAt ?? 0);

export function createSessions(db: Db): Sessions {
  const models = createOidcModelQueries(db);
  const devices = createSessionDeviceQueries(db);
  const sessionRows = async (accountId: string, now: number) =>
    (await models.listOfAccount(accountId, ['Session'], now)).flatMap((row) => (row.uid === null ? [] : [{ id: row.id, uid: row.uid, payload: JSON.parse(row.payload) as StoredPayload }]));

  async function listOf(accountId: string, now: number) {
    const sessions: SessionSummary[] = [];
    const grants: GrantSummary[] = [];
    for (const row of await models.listOfAccount(accountId, ['Session', 'Grant'], now)) {
      const payload = JSON.parse(row.payload) as StoredPayload;
      const times = { createdAt: milliseconds(payload.iat), expiresAt: row.expires_at };
      if (row.model === 'Grant') grants.push({ id: row.id, clientId: payload.clientId, scope: payload.openid?.scope, ...times });
      // A session without a uid is none the engine could have made; its id alone would be its cookie.
      else if (row.uid !== null) {
        sessions.push({ uid: row.uid, clientIds: Object.keys(payload.authorizations ?? {}), amr: payload.amr, signedInAt: milliseconds(payload.loginTs), ...times });
      }
    }
    return { sessions: sessions.sort(oldestFirst), grants: grants.sort(oldestFirst) };
  }

  return {
    listOf,
    async endAllOf(accountId) {
      await models.revokeAccount(accountId);
      await devices.removeAllOf(accountId);
    },
    endAllOfClient: async (clientId) => {
      await models.revokeClient(clientId, clientModels);
    },
    async listWithDevices(accountId, now) {
      const { sessions } = await listOf(accountId, now);
      const seen = new Map((await devices.listOfAccount(accountId)).map((row) => [row.session_uid, row]));
      return sessions.map((session) => {
        const device = seen.get(session.uid);
        return { ...session, userAgent: device?.user_agent ?? undefined, ipAddress: device?.ip_address ?? undefined, lastSeenAt: device?.last_seen_at };
      });
    },
    async endSession(accountId, sessionUid, now) {
      const session = (await sessionRows(accountId, now)).find((row) => row.uid === sessionUid);
      if (!session) return false;
      for (const grantId of grantIdsOf(session.payload)) await models.revokeGrant(grantId);
      await models.destroy('Session', session.id);
      await devices.remove(accountId, [sessionUid]);
      return true;
    },
    async endAllBut(accountId, keptSessionUid, now) {
      const sessions = await sessionRows(accountId, now);
      const kept = new Set(sessions.filter((row) => row.uid === keptSessionUid).flatMap((row) => grantIdsOf(row.payload)));
      const ending = sessions.filter((row) => row.uid !== keptSessionUid);
      for (const row of ending) await models.destroy('Session', row.id);
      // Every grant not the kept session's: those of the sessions ended, and those no session names (the password grant's).
      for (const grant of await models.listOfAccount(accountId, ['Grant'], now)) if (!kept.has(grant.id)) await models.revokeGrant(grant.id);
      await devices.remove(accountId, ending.map((row) => row.uid));
      return ending.length;
    },
    async endGrantsOf(accountId, clientId, now) {
      const grants = (await models.listOfAccount(accountId, ['Grant'], now)).filter((row) => (JSON.parse(row.payload) as StoredPayload).clientId === clientId);
      for (const grant of grants) await models.revokeGrant(grant.id);
      return grants.length;
    },
  };
}
