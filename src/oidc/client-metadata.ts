import { applicationMfaPolicies } from '../mfa/mfa-requirement.js';
import { applicationMfaProperty } from './authentication-requirements.js';
import { errors, type Configuration } from './engine.js';
import { idTokenClaimsScopesProperty } from './id-token-claims.js';
import { requireVerifiedEmailProperty } from './verified-email-check.js';

/**
 * Gatehouse's extra client metadata, checked by the engine's own client validation so that a
 * bad value stops the start with the application named: `id_token_claims_scopes` must list
 * scopes the server knows and, when the application is limited by `scope`, ones it may request;
 * `mfa` must be one of the application MFA policies (docs/mfa.md); `require_verified_email` is
 * a boolean (docs/account.md).
 */
export function extraClientMetadata(supportedScopes: readonly string[]): NonNullable<Configuration['extraClientMetadata']> {
  const known = new Set(supportedScopes);
  return {
    properties: [idTokenClaimsScopesProperty, applicationMfaProperty, requireVerifiedEmailProperty],
    validator(_ctx, key, value, metadata) {
      if (key === applicationMfaProperty && value !== undefined && !(applicationMfaPolicies as readonly unknown[]).includes(value)) {
        throw new errors.InvalidClientMetadata(`${key} must be one of ${applicationMfaPolicies.join(', ')}`);
      }
      if (key === requireVerifiedEmailProperty && value !== undefined && typeof value !== 'boolean') {
        throw new errors.InvalidClientMetadata(`${key} must be true or false`);
      }
      if (key !== idTokenClaimsScopesProperty || value === undefined) return;
      if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
        throw new errors.InvalidClientMetadata(`${key} must be a list of scope names`);
      }
      const allowed = typeof metadata.scope === 'string' ? new Set(metadata.scope.split(' ')) : known;
      for (const name of value as string[]) {
        if (!known.has(name)) throw new errors.InvalidClientMetadata(`${key}: "${name}" is not a scope this server knows`);
        if (!allowed.has(name)) throw new errors.InvalidClientMetadata(`${key}: "${name}" is not in the application's scope`);
      }
    },
  };
}
