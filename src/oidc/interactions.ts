import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLog } from '../audit/audit-log.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { errors, type InteractionResults } from './engine.js';
import { loginInteractionKey } from './engine-internals.js';
import type { OidcProvider } from './engine.js';
import { acrOf, levelOfAmr } from '../mfa/assurance.js';
import type { ApplicationMfaPolicy } from '../mfa/mfa-requirement.js';
import { applicationMfaProperty, requestedAcrValues } from './authentication-requirements.js';
import { describeResourceScopes } from './resource-servers.js';
import { sessionClientId } from './session-client.js';

/** What the sign-in pages need to know about a pending authorization request. */
export interface PendingInteraction {
  uid: string;
  prompt: 'login' | 'consent';
  clientId: string;
  clientName: string;
  /** The signed-in user, once the login prompt is done. */
  accountId: string | undefined;
  /**
   * Scopes the user has not granted this application yet: OpenID Connect's by name, and an API
   * resource's already described with the API's name (the consent page shows both in one list).
   */
  missingScopes: Array<string | { name: string; description: string }>;
  /** Claims the `claims` parameter names that the user has not granted yet; consent grants them too, so the page shows them. */
  missingClaims: string[];
  loginHint: string | undefined;
  /** The `connection` the authorization request named (an extra parameter of the engine): go straight to that upstream. */
  connection: string | undefined;
  /** Epoch milliseconds after which the engine no longer knows the interaction; a detour must not outlast it. */
  expiresAt: number;
  /** Why the engine asks for the login prompt (`no_session`, `max_age`, `login_prompt`, authentication-requirements.ts's step-up…). */
  reasons: string[];
  /** How the signed-in session's sign-in was made (RFC 8176), when there is one. */
  sessionAmr: string[];
  /** The request's `acr_values`, and the `acr` its `claims` parameter marks essential, space-separated. */
  acrValues: string | undefined;
  /** The application's MFA policy (its `mfa` metadata); undefined for Gatehouse's own clients and applications without one. */
  applicationMfa: ApplicationMfaPolicy | undefined;
  /** The factor a sign-in of Gatehouse's own session client was started to set up (`enrol=`, from the security page). */
  enrol: EnrolRequest | undefined;
  /** The request's `ui_locales`: the languages the application asks the pages in, space-separated, by preference. */
  uiLocales: string | undefined;
}

/** What the security page's "add" buttons ask a sign-in to set up. */
export type EnrolRequest = 'totp' | 'passkey';

type Details = Awaited<ReturnType<OidcProvider['interactionDetails']>>;

const expiredMessage = 'This sign-in request has expired or was already completed. Go back to the application and start again.';

/**
 * The engine reports a missing interaction cookie, interaction or session, and a session whose
 * user changed, as SessionNotFound: the user's to fix by starting again. Anything else (a storage
 * failure) is ours and stays a server error.
 */
async function expiredWhenNotFound<T>(lookup: Promise<T>): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof errors.SessionNotFound) throw new GatehouseError('interaction_expired', expiredMessage, { cause: error });
    throw error;
  }
}

/** What the consent page's approval is recorded with. */
export interface InteractionDeps {
  audit: AuditLog;
  /** The client address Gatehouse computed (trusted proxies applied). */
  clientIp: (req: IncomingMessage) => string;
}

/**
 * The sign-in flow's view of oidc-provider interactions. The login interaction can be finished
 * by any sign-in method (password now, upstream identity providers later) through `finishLogin`.
 */
export function createInteractions(engine: () => OidcProvider, { audit, clientIp }: InteractionDeps) {
  async function details(req: IncomingMessage, res: ServerResponse, uid: string): Promise<Details> {
    const found = await expiredWhenNotFound(engine().interactionDetails(req, res));
    if (found.uid !== uid) {
      throw new GatehouseError('interaction_expired', 'This sign-in request does not belong to this browser session. Go back to the application and start again.');
    }
    return found;
  }

  async function load(req: IncomingMessage, res: ServerResponse, uid: string): Promise<PendingInteraction> {
    const found = await details(req, res, uid);
    const clientId = String(found.params.client_id);
    const client = await engine().Client.find(clientId);
    const prompt = found.prompt.name === 'consent' ? 'consent' : 'login';
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = found.prompt.details as {
      missingOIDCScope?: unknown;
      missingOIDCClaims?: unknown;
      missingResourceScopes?: Record<string, string[]>;
    };
    const resourceScopes = describeResourceScopes(engine(), missingResourceScopes ?? {});
    return {
      uid: found.uid,
      prompt,
      clientId,
      clientName: client?.clientName ?? clientId,
      accountId: found.session?.accountId,
      missingScopes: [...(Array.isArray(missingOIDCScope) ? (missingOIDCScope as string[]) : []), ...resourceScopes],
      missingClaims: Array.isArray(missingOIDCClaims) ? (missingOIDCClaims as string[]) : [],
      loginHint: typeof found.params.login_hint === 'string' ? found.params.login_hint : undefined,
      connection: typeof found.params.connection === 'string' ? found.params.connection : undefined,
      expiresAt: found.exp * 1000,
      reasons: found.prompt.reasons,
      sessionAmr: found.session?.amr ?? [],
      acrValues: requestedAcrValues(found.params),
      applicationMfa: client?.[applicationMfaProperty] as ApplicationMfaPolicy | undefined,
      enrol: clientId === sessionClientId && (found.params.enrol === 'totp' || found.params.enrol === 'passkey') ? found.params.enrol : undefined,
      uiLocales: typeof found.params.ui_locales === 'string' ? found.params.ui_locales : undefined,
    };
  }

  async function finish(req: IncomingMessage, res: ServerResponse, uid: string, result: InteractionResults): Promise<string> {
    await details(req, res, uid);
    return expiredWhenNotFound(engine().interactionResult(req, res, result, { mergeWithLastSubmission: true }));
  }

  return {
    load,

    /**
     * Completes the login prompt for an account; `amr` names how the user proved who they are,
     * and the `acr` the session gets is the level those methods add up to. The result names this
     * interaction, so that what a method kept about it (an upstream's id_token) is found once the
     * engine has taken the login into its session (resumedLogin).
     */
    finishLogin(req: IncomingMessage, res: ServerResponse, uid: string, accountId: string, amr: string[]): Promise<string> {
      return finish(req, res, uid, { login: { accountId, amr, acr: acrOf(levelOfAmr(amr)), remember: true }, [loginInteractionKey]: uid });
    },

    /** Records the user's consent to every scope and claim the request is missing (what `load` showed), as a grant. */
    async finishConsent(req: IncomingMessage, res: ServerResponse, uid: string): Promise<string> {
      const found = await details(req, res, uid);
      const accountId = found.session?.accountId;
      if (found.prompt.name !== 'consent' || !accountId) {
        throw new GatehouseError('interaction_expired', 'There is nothing to approve for this sign-in request. Go back to the application and start again.');
      }
      const provider = engine();
      const grant = found.grantId
        ? await provider.Grant.find(found.grantId)
        : new provider.Grant({ accountId, clientId: String(found.params.client_id) });
      if (!grant) throw new GatehouseError('interaction_expired', 'The grant for this request has expired. Go back to the application and start again.');
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = found.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      const next = await expiredWhenNotFound(provider.interactionResult(req, res, { consent: found.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true }));
      audit.record({
        type: 'consent.given', actor: { kind: 'user', userId: accountId }, userId: accountId, clientId: String(found.params.client_id), clientAddress: clientIp(req),
        details: {
          grant_id: grantId, scopes: missingOIDCScope ?? [], claims: missingOIDCClaims ?? [],
          ...(missingResourceScopes ? { resource_scopes: missingResourceScopes } : {}),
        },
      });
      return next;
    },

    /** Ends the request with access_denied and what happened, sent back to the application: the sign-in failed for good. */
    refuse(req: IncomingMessage, res: ServerResponse, uid: string, description: string): Promise<string> {
      return finish(req, res, uid, { error: 'access_denied', error_description: description });
    },

    /** Ends the request with access_denied, sent back to the application. */
    abort(req: IncomingMessage, res: ServerResponse, uid: string): Promise<string> {
      return finish(req, res, uid, { error: 'access_denied', error_description: 'The user cancelled the sign-in or denied access.' });
    },
  };
}

export type Interactions = ReturnType<typeof createInteractions>;
