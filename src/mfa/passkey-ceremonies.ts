import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type CredentialDeviceType,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { ChangeLog } from '../audit/change-log.js';
import { defaults } from '../config/defaults.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createPasskeyQueries, type PasskeyRow } from '../db/queries/passkeys.js';
import { createWebauthnChallengeQueries, type ChallengePurpose, type WebauthnChallengeRow } from '../db/queries/webauthn-challenges.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { defaultPasskeyName, passkeyName } from './passkey-names.js';
import { authenticationResponse, challengeOf, refused, registrationResponse, type PasskeyRefusalText } from './passkey-response.js';
import { passkeyOf, transportsOf, type Passkey } from './passkey.js';

/** How long a WebAuthn challenge may be answered (defaults.ts says why). */
export const webauthnChallengeSeconds = defaults.mfa.webauthnChallengeSeconds;

/** ES256 (every authenticator) and RS256 (Windows Hello); EdDSA and ML-DSA are left out until asked for. */
const supportedAlgorithmIDs = [-7, -257];

/** The library throws for an answer it cannot read or that fails a check: for the person, that is one refusal with a text. */
async function refusedWhenThrown<T>(text: PasskeyRefusalText, verifying: Promise<T>): Promise<T> {
  try {
    return await verifying;
  } catch (error) {
    throw refused(text, error);
  }
}

/** Who the passkeys are for: the WebAuthn RP ID (the public URL's host), the name an authenticator shows, the origin pages run at. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

/**
 * The relying party of a Gatehouse at this public URL: the RP ID is its host name (a passkey
 * works for that host and its subdomains' pages alike), the origin is where its pages run.
 */
export function relyingPartyOf(publicUrl: URL, name = 'Gatehouse'): RelyingParty {
  return { id: publicUrl.hostname, name, origin: publicUrl.origin };
}

export interface PasskeyCeremonyDeps {
  db: Db;
  clock: Clock;
  changes: ChangeLog;
  /** Read at each ceremony, so that it follows the configuration as it is now. */
  relyingParty: () => RelyingParty;
}

/** A passkey sign-in that passed: whose, which passkey, and what it proved. */
export interface PasskeyAuthentication {
  userId: string;
  passkeyId: string;
  /** The authenticator verified the person (PIN, biometric): a second factor in itself. */
  userVerified: boolean;
  /** `multiDevice`: a synced passkey (RFC 8176 `swk`); `singleDevice`: bound to one authenticator (`hwk`). */
  deviceType: CredentialDeviceType;
}

/** A user handle is the user's id as bytes: it names an account, not a person. */
const userHandleOf = (userId: string) => Buffer.from(userId, 'utf8');

/**
 * WebAuthn registration and authentication (@simplewebauthn/server), with what the library
 * leaves to its caller: each challenge stored once, bound to the interaction or page it was made
 * for and consumed by one conditional DELETE before its answer is looked at, so that an answer is
 * tried at most once, on any instance; and the signature counter moved by a conditional UPDATE.
 */
export function createPasskeyCeremonies({ db, clock, changes, relyingParty }: PasskeyCeremonyDeps) {
  const passkeys = createPasskeyQueries(db);
  const challenges = createWebauthnChallengeQueries(db);

  async function newChallenge(purpose: ChallengePurpose, bindTo: string, userId: string | undefined): Promise<string> {
    const challenge = randomBytes(32).toString('base64url');
    await challenges.insert({ challenge, purpose, bound_to: bindTo, user_id: userId ?? null, expires_at: clock.now() + webauthnChallengeSeconds * 1000 });
    return challenge;
  }

  /** The stored challenge the answer signed, used up now; a refusal when it is not there for this purpose, binding and user. */
  async function consume(purpose: ChallengePurpose, bindTo: string, signed: string, userId: string | undefined): Promise<WebauthnChallengeRow> {
    const row = await challenges.consume({ challenge: signed, purpose, boundTo: bindTo, now: clock.now() });
    if (!row) throw refused('passkey.refused.expired', new Error(`no unexpired ${purpose} challenge bound to this interaction matches the answer`));
    if (row.user_id !== (userId ?? null)) throw refused('passkey.refused.expired', new Error(`the ${purpose} challenge was made for another user`));
    return row;
  }

  const allowed = (rows: PasskeyRow[]) => rows.map((row) => ({ id: row.id, transports: transportsOf(row) }));

  return {
    /** Options for navigator.credentials.create(): a discoverable credential, the person verified, no attestation. */
    async registrationOptions({ user, bindTo }: { user: { id: string; username: string; displayName: string }; bindTo: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const rp = relyingParty();
      const challenge = await newChallenge('registration', bindTo, user.id);
      return generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userID: userHandleOf(user.id),
        userName: user.username,
        userDisplayName: user.displayName,
        challenge: Buffer.from(challenge, 'base64url'),
        timeout: webauthnChallengeSeconds * 1000,
        attestationType: 'none',
        // The same authenticator twice would be one factor listed as two.
        excludeCredentials: allowed(await passkeys.listOf(user.id)),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        supportedAlgorithmIDs,
      });
    },

    /**
     * Verifies a new credential and stores it with its `mfa.factor_enrolled` event, in one
     * transaction. The name, when given, is checked before the challenge is used up.
     */
    async register({ actor, userId, bindTo, response, name, clientAddress }: { actor: Actor; userId: string; bindTo: string; response: unknown; name?: string; clientAddress?: string }): Promise<{ id: string; name: string; deviceType: CredentialDeviceType }> {
      const given = name === undefined || name.trim() === '' ? undefined : passkeyName(name);
      const answer = registrationResponse(response);
      const row = await consume('registration', bindTo, challengeOf(answer), userId);
      const rp = relyingParty();
      // User verification is required: checked below rather than by the library, so that the refusal can say so.
      const verification = await refusedWhenThrown('passkey.refused.registrationFailed', verifyRegistrationResponse({
        response: answer,
        expectedChallenge: row.challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserVerification: false,
        supportedAlgorithmIDs,
      }));
      if (!verification.verified) throw refused('passkey.refused.registrationFailed', new Error('the registration response did not verify'));
      const info = verification.registrationInfo;
      if (!info.userVerified) throw refused('passkey.refused.noUserVerification', new Error('the authenticator did not verify the user at registration'));
      const { credential } = info;
      if (await passkeys.find(credential.id)) throw refused('passkey.refused.alreadyRegistered', new Error('the credential id is registered already'));
      const now = clock.now();
      const transports = credential.transports ?? [];
      const stored: PasskeyRow = {
        id: credential.id,
        user_id: userId,
        name: given ?? defaultPasskeyName({ deviceType: info.credentialDeviceType, transports, now }),
        public_key: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: JSON.stringify(transports),
        device_type: info.credentialDeviceType,
        backed_up: info.credentialBackedUp ? 1 : 0,
        created_at: now,
        last_used_at: null,
      };
      try {
        await inTransaction(db, async (trx) => {
          await createPasskeyQueries(trx).insert(stored);
          await changes.record(trx, [{
            type: 'mfa.factor_enrolled',
            actor,
            subject: { userId, ...(clientAddress ? { clientAddress } : {}) },
            details: { factor: 'passkey', factor_id: stored.id, name: stored.name },
          }]);
        });
      } catch (error) {
        // The same credential registered by a concurrent request, between the check above and the insert.
        if (isUniqueViolation(error)) throw refused('passkey.refused.alreadyRegistered', error);
        throw error;
      }
      return { id: stored.id, name: stored.name, deviceType: info.credentialDeviceType };
    },

    /**
     * Options for navigator.credentials.get(). For a second factor (`userId`): that user's
     * passkeys, user verification preferred (the password was the first factor). Passwordless (no
     * `userId`): any discoverable credential, user verification required, since the passkey is
     * then both factors.
     */
    async authenticationOptions({ bindTo, userId }: { bindTo: string; userId?: string }): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const rp = relyingParty();
      const own = userId === undefined ? undefined : await passkeys.listOf(userId);
      if (own?.length === 0) throw refused('passkey.refused.noneRegistered', new Error('the user has no passkey'));
      const challenge = await newChallenge('authentication', bindTo, userId);
      return generateAuthenticationOptions({
        rpID: rp.id,
        challenge: Buffer.from(challenge, 'base64url'),
        timeout: webauthnChallengeSeconds * 1000,
        userVerification: userId === undefined ? 'required' : 'preferred',
        ...(own ? { allowCredentials: allowed(own) } : {}),
      });
    },

    /**
     * Checks an answer to authenticationOptions: its challenge (used up first), the credential
     * (the user's, when `userId` is given), the signature, the person's verification when
     * required, and a counter that only moves forward, recorded if no other use came first.
     */
    async authenticate({ bindTo, response, userId, requireUserVerification }: { bindTo: string; response: unknown; userId?: string; requireUserVerification: boolean }): Promise<PasskeyAuthentication> {
      const answer = authenticationResponse(response);
      const row = await consume('authentication', bindTo, challengeOf(answer), userId);
      const passkey = await passkeys.find(answer.id);
      if (!passkey || (userId !== undefined && passkey.user_id !== userId)) throw refused('passkey.refused.notRegistered', new Error(passkey ? "the credential is another user's" : 'no credential has this id'));
      const { userHandle } = answer.response;
      if (userHandle && userHandle !== userHandleOf(passkey.user_id).toString('base64url')) throw refused('passkey.refused.notRegistered', new Error("the user handle is not the credential's user"));
      const rp = relyingParty();
      // Counter regression (when either counter is above 0) is refused by the library; user verification is checked below.
      const verification = await refusedWhenThrown('passkey.refused.notVerified', verifyAuthenticationResponse({
        response: answer,
        expectedChallenge: row.challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        credential: { id: passkey.id, publicKey: Buffer.from(passkey.public_key, 'base64url'), counter: passkey.counter, transports: transportsOf(passkey) },
        requireUserVerification: false,
      }));
      const info = verification.authenticationInfo;
      if (!verification.verified) throw refused('passkey.refused.notVerified', new Error('the signature did not verify'));
      if (requireUserVerification && !info.userVerified) throw refused('passkey.refused.noUserVerification', new Error('user verification was required; the authenticator did not verify the user'));
      const recorded = await passkeys.recordUse(passkey.id, { previousCounter: passkey.counter, counter: info.newCounter, now: clock.now() });
      if (!recorded) throw refused('passkey.refused.usedMeanwhile', new Error('the counter moved meanwhile: another use of this credential came first'));
      return { userId: passkey.user_id, passkeyId: passkey.id, userVerified: info.userVerified, deviceType: info.credentialDeviceType };
    },

    /** Renames the user's passkey; not_found when the user has none by that id. */
    async rename(userId: string, id: string, name: string): Promise<Passkey> {
      const checked = passkeyName(name);
      const renamed = (await passkeys.rename(userId, id, checked)) ? await passkeys.find(id) : undefined;
      if (!renamed) throw new GatehouseError('not_found', 'No such passkey.');
      return passkeyOf(renamed);
    },
  };
}

export type PasskeyCeremonies = ReturnType<typeof createPasskeyCeremonies>;
