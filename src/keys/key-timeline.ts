import { defaults } from '../config/defaults.js';
import type { KeyStatus } from '../db/database.js';

/*
 * When a rotated key changes status, from its row alone, so that every instance (and the CLI)
 * reaches the same answer from the database without asking the others:
 * - `next` → `active` once it has been published for `defaults.keys.publishBeforeUseSeconds`:
 *   every relying party's cached JWKS has it before anything is signed with it;
 * - `retired` → removed once nothing it signed can still be presented, plus
 *   `defaults.keys.retiredMarginSeconds` (see `retentionSeconds`).
 */

/** The purpose of the keys oidc-provider signs its cookies with; the others are `signing:<alg>`. */
export const cookiePurpose = 'cookie';

/**
 * How long a retired key stays published (signing keys) or accepted (cookie keys) after it
 * stopped signing.
 *
 * A signing key signs id_tokens only (access and refresh tokens are opaque; nothing else is
 * signed with the configuration in oidc/provider.ts). An id_token verifies at relying parties
 * until its `exp` (`ttl.idToken`, an hour), but the engine also takes it back, expired, as the
 * `id_token_hint` of RP-initiated logout (and of an authorization request), which relying parties
 * send for as long as the session it came with lasts: `ttl.session`, fourteen days. So the
 * longer of the two. A cookie key signs the session cookie (`ttl.session`) and the interaction
 * cookies (`ttl.interaction`): the longer of those. Each plus the margin.
 */
export function retentionSeconds(purpose: string): number {
  const { ttl } = defaults;
  const lastUse = purpose === cookiePurpose ? Math.max(ttl.session, ttl.interaction) : Math.max(ttl.idToken, ttl.session);
  return lastUse + defaults.keys.retiredMarginSeconds;
}

/** The part of a stored key its schedule depends on. */
export interface ScheduledKey {
  purpose: string;
  status: KeyStatus;
  status_changed_at: number;
}

/** When a `next` key becomes active (epoch ms); undefined for other statuses. */
export function activatesAt(key: ScheduledKey): number | undefined {
  return key.status === 'next' ? key.status_changed_at + defaults.keys.publishBeforeUseSeconds * 1000 : undefined;
}

/** When a `retired` key is removed (epoch ms); undefined for other statuses. */
export function removedAt(key: ScheduledKey): number | undefined {
  return key.status === 'retired' ? key.status_changed_at + retentionSeconds(key.purpose) * 1000 : undefined;
}

/** True when the key's next step (activation or removal) is due at `now`. */
export function isDue(key: ScheduledKey, now: number): boolean {
  const at = activatesAt(key) ?? removedAt(key);
  return at !== undefined && at <= now;
}
