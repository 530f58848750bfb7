import type { Db } from '../db/database.js';
import { createOidcModelQueries } from '../db/queries/oidc-models.js';

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

const milliseconds = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);
const oldestFirst = (a: { createdAt: number | undefined }, b: { createdAt: number | undefined }) => (a.createdAt ?? 0) - (b.createdAt ?? 0);

export function createSessions(db: Db): Sessions {
  const models = createOidcModelQueries(db);
  return {
    async listOf(accountId, now) {
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
    },
    endAllOf: (accountId) => models.revokeAccount(accountId),
    endAllOfClient: async (clientId) => {
      await models.revokeClient(clientId, clientModels);
    },
  };
}
