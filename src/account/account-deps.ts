import type { AuditLog } from '../audit/audit-log.js';
import type { BackgroundSends } from './recovery/background-sends.js';
import type { Csrf } from '../http/interaction/csrf.js';
import type { RequirementFor } from '../mfa/mfa-requirement.js';
import type { OidcProvider } from '../oidc/engine.js';
import type { Clock } from '../runtime/clock.js';
import type { Services } from '../services.js';
import type { PlainSession } from '../sign-in/plain-session.js';

/** What the /account pages and the email links (verify, change, reset) are built from. */
export interface AccountDeps {
  engine: () => OidcProvider;
  services: Services;
  csrf: Csrf;
  /** Signs the person in to Gatehouse itself, and back to the page that asked. */
  plainSession: PlainSession;
  /** What a sign-in must prove (the MFA policies). */
  requirementFor: RequirementFor;
  audit: AuditLog;
  clock: Clock;
  /** GATEHOUSE_PUBLIC_URL's origin: the links in messages point there. */
  publicOrigin: string;
  /** Mail queued after an answer has gone (forgot password); the server waits for it before closing. */
  background: BackgroundSends;
}
