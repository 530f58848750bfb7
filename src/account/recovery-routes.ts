import type { FastifyPluginAsync } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createSignedValues } from '../crypto/signed-values.js';
import { validationErrorFormatter } from '../http/interaction/validation-errors.js';
import type { AccountDeps } from './account-deps.js';
import { createAccountTokens } from './recovery/account-tokens.js';
import { registerEmailRoutes } from './recovery/email-routes.js';
import { createFormCsrf } from './recovery/form-csrf.js';
import { createLinkLimits } from './recovery/link-limits.js';
import { registerPasswordResetRoutes } from './recovery/password-reset-routes.js';
import type { RecoveryContext } from './recovery/recovery-context.js';
import { createRecoveryMail } from './recovery/recovery-mail.js';
import { registerVerifiedEmailPageRoutes } from './recovery/verified-email-page-routes.js';
import { createSignedIn } from './signed-in.js';

/** The key the verified-email step signs its page's tickets with (src/sign-in/verified-email-step.ts): both sides derive it by this name. */
export const verifiedEmailTicketKey = 'verified email step';

/** The links sent by email: verifying an address, confirming a new one, and resetting a forgotten password. */
export const recoveryRoutes: FastifyPluginAsync<AccountDeps> = async (scope, deps) => {
  scope.setValidatorCompiler(validatorCompiler);
  scope.setSerializerCompiler(serializerCompiler);
  scope.setSchemaErrorFormatter(validationErrorFormatter);
  const routes = scope.withTypeProvider<ZodTypeProvider>();
  const { db, box, clock } = deps.services.deps;
  const tokens = createAccountTokens({ db, clock });
  const secure = deps.publicOrigin.startsWith('https:');
  const context: RecoveryContext = {
    deps,
    tokens,
    limits: createLinkLimits({ db, clock }),
    mail: createRecoveryMail({ services: deps.services, tokens, publicOrigin: deps.publicOrigin }),
    signedIn: createSignedIn(deps),
    formCsrf: createFormCsrf(deps.csrf, secure, '/password'),
    linkCsrf: createFormCsrf(deps.csrf, secure, '/email'),
    background: deps.background,
  };
  registerPasswordResetRoutes(routes, context);
  registerEmailRoutes(routes, context);
  registerVerifiedEmailPageRoutes(routes, context, createSignedValues(box.derive(verifiedEmailTicketKey), clock));
};
