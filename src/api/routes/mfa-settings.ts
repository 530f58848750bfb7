import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MfaSettings } from '../../mfa/mfa-settings.js';
import { mfaPolicies, mfaSettingsChangeSchema } from '../../mfa/mfa-settings-schema.js';
import type { ApiContext } from '../management-api.js';
import { commonProblems, recordProblems } from '../problem.js';

const settingsView = z.object({
  policy: z.enum(mfaPolicies).describe('off: a second factor only when an application or acr_values asks; optional: asked of everyone who set one up; required: everyone must have one.'),
  require_for_administrators: z.boolean().nullable().describe('As set; null: automatic, required once any enabled member of gatehouse-admins has a second factor.'),
  administrators_required: z.boolean().describe('What require_for_administrators amounts to now.'),
  owner: z.enum(['database', 'config_file']).describe('config_file while the configuration file declares mfa:, whose values then cannot be changed here.'),
}).strip().meta({ id: 'MfaSettings' });

async function viewOf(settings: MfaSettings, administratorsRequired: () => Promise<boolean>) {
  return {
    policy: settings.policy,
    require_for_administrators: settings.requireForAdministrators,
    administrators_required: settings.requireForAdministrators ?? (await administratorsRequired()),
    owner: settings.owner,
  };
}

/** The global MFA policy: one record, read at every sign-in on every instance, so a change applies to the next sign-in anywhere. */
export async function mfaSettingsRoutes(scope: FastifyInstance, { services, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { settings } = services.mfa;
  const tags = ['settings'];

  app.get('/settings/mfa', {
    schema: { tags, summary: 'Read the MFA policy, and whether administrators must give a second factor now', response: { 200: settingsView, ...commonProblems } },
  }, async () => viewOf(await settings.get(), settings.administratorsRequired));

  app.put('/settings/mfa', {
    schema: {
      tags,
      summary: 'Change the MFA policy: each field given replaces its value, each left out keeps it; refused while the configuration file declares mfa:',
      body: mfaSettingsChangeSchema,
      response: { 200: settingsView, ...recordProblems },
    },
  }, async (request) => viewOf(await settings.update(actor(request), request.body), settings.administratorsRequired));
}
