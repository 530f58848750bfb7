import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { translate, type MessageKey } from '../i18n/catalogue.js';

const base64url = z.string().min(1).max(16_384).regex(/^[A-Za-z0-9_-]+$/);

/**
 * The outline of what @simplewebauthn/browser sends: enough to find the credential and the
 * challenge before the library checks the rest (it checks every field it uses, its own way).
 */
const responseShape = z.looseObject({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: base64url }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

const clientDataShape = z.looseObject({ challenge: z.string().min(1).max(200) });

/** What a refusal tells the person, as a text of the catalogues. */
export type PasskeyRefusalText = Extract<MessageKey, `passkey.refused.${string}`>;

/**
 * A refused passkey answer (`passkey_invalid`): its message in English for the logs and JSON
 * answers, its `text` for a page to say in its language, and the precise reason (never a
 * secret) as its cause, for the log.
 */
export class PasskeyRefused extends GatehouseError {
  readonly text: PasskeyRefusalText;

  constructor(text: PasskeyRefusalText, reason: unknown) {
    super('passkey_invalid', translate('en', text), { cause: reason instanceof Error ? reason : new Error(String(reason)) });
    this.text = text;
  }
}

export function refused(text: PasskeyRefusalText, reason: unknown): PasskeyRefused {
  return new PasskeyRefused(text, reason);
}

/** The response as posted: the JSON text the form's hidden field carries, or the object already parsed. */
function parsed(value: unknown): z.infer<typeof responseShape> {
  let candidate = value;
  if (typeof value === 'string') {
    try {
      candidate = JSON.parse(value);
    } catch (error) {
      throw refused('passkey.refused.unreadable', error);
    }
  }
  const result = responseShape.safeParse(candidate);
  if (!result.success) throw refused('passkey.refused.unreadable', new Error(`response is not a WebAuthn credential: ${result.error.issues[0]?.message ?? 'unknown shape'}`));
  return result.data;
}

export const registrationResponse = (value: unknown): RegistrationResponseJSON => parsed(value) as unknown as RegistrationResponseJSON;
export const authenticationResponse = (value: unknown): AuthenticationResponseJSON => parsed(value) as unknown as AuthenticationResponseJSON;

/**
 * The challenge the browser signed, read from clientDataJSON: the key the challenge is consumed
 * by, before anything else is checked, so that every answer uses its challenge up, right or wrong.
 */
export function challengeOf(response: RegistrationResponseJSON | AuthenticationResponseJSON): string {
  try {
    return clientDataShape.parse(JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'))).challenge;
  } catch (error) {
    throw refused('passkey.refused.unreadable', error);
  }
}
