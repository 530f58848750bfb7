import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EmailSettings } from '../../email/email-settings.js';
import { emailSettingsInputSchema, tlsModes } from '../../email/email-settings-schema.js';
import type { ApiContext } from '../management-api.js';
import { commonProblems, recordProblems } from '../problem.js';

const settingsView = z.object({
  configured: z.boolean().describe('false while there are no SMTP settings: nothing can be sent, and whatever needs email says so.'),
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  tls: z.enum(tlsModes).nullable().describe('starttls (upgrade required), tls (TLS from the start) or none (only to a loopback address such as 127.0.0.1, or with allow_insecure).'),
  allow_insecure: z.boolean(),
  user: z.string().nullable().describe('The SMTP user name; null: no authentication.'),
  has_password: z.boolean().describe('Whether a password is stored; the password itself is never returned.'),
  from: z.object({ address: z.string(), name: z.string().nullable() }).nullable().describe('Who the messages come from.'),
  owner: z.enum(['database', 'config_file']).describe('config_file while the configuration file declares email:, whose values then cannot be changed here.'),
  updated_at: z.iso.datetime().nullable().describe('The last change; null while nothing was ever set.'),
}).strip().meta({ id: 'EmailSettings' });

function viewOf(settings: EmailSettings): z.input<typeof settingsView> {
  const { smtp } = settings;
  return {
    configured: smtp !== null,
    host: smtp?.host ?? null,
    port: smtp?.port ?? null,
    tls: smtp?.tls ?? null,
    allow_insecure: smtp?.allowInsecure ?? false,
    user: smtp?.user ?? null,
    has_password: smtp?.hasPassword ?? false,
    from: smtp ? { address: smtp.from.address, name: smtp.from.name } : null,
    owner: settings.owner,
    updated_at: settings.updatedAt === null ? null : new Date(settings.updatedAt).toISOString(),
  };
}

/** The SMTP settings (docs/email.md): one record, read at every send on every instance. */
export async function emailSettingsRoutes(scope: FastifyInstance, { services, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { settings } = services.email;
  const tags = ['settings'];

  app.get('/settings/email', {
    schema: { tags, summary: 'Read the SMTP settings (never the password: has_password says whether there is one)', response: { 200: settingsView, ...commonProblems } },
  }, async () => viewOf(await settings.get()));

  app.put('/settings/email', {
    schema: {
      tags,
      summary: 'Set the SMTP settings: the whole setting, except the password, kept when left out (null removes it); refused while the configuration file declares email:',
      description: 'tls none is refused for a host that is not a literal loopback address (127.0.0.0/8, ::1; not a name, which DNS would resolve) unless allow_insecure is true: the password and every message would cross the network in clear. '
        + 'Changing host, port, tls or user needs the password again (400 invalid_request naming body.password): a kept password is never sent to a server it was not given for.',
      body: emailSettingsInputSchema,
      response: { 200: settingsView, ...recordProblems },
    },
  }, async (request) => viewOf(await settings.update(actor(request), request.body)));
}
