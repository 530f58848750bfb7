import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { FactorSummary } from '../../mfa/factors.js';
import type { ApiContext } from '../management-api.js';
import { noContent, recordProblems } from '../problem.js';

const instant = z.iso.datetime();
const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** A second factor as the API shows it: what it is and when it was used, never its secret. */
const factorView = z.object({
  id: z.string().describe('`totp` for the authenticator app, `recovery-codes` for the recovery codes, a passkey\'s credential id (base64url): names it in DELETE.'),
  type: z.enum(['totp', 'passkey', 'recovery_codes']),
  name: z.string().describe('A passkey\'s name as its owner gave it; "Authenticator app" or "Recovery codes" for the others.'),
  created_at: instant.describe('When the app was confirmed, the passkey registered, the recovery codes made.'),
  last_used_at: instant.nullable().describe('The last sign-in it passed; null if none (recovery codes: always null, see remaining).'),
  remaining: z.number().int().optional().describe('Recovery codes only: how many are left unused.'),
  device_type: z.enum(['singleDevice', 'multiDevice']).optional().describe('Passkeys only: multiDevice for one that syncs between devices.'),
  backed_up: z.boolean().optional().describe('Passkeys only: whether it is backed up (synced) now.'),
}).strip().meta({ id: 'SecondFactor' });

function viewOf(factor: FactorSummary) {
  return {
    id: factor.id,
    type: factor.type,
    name: factor.name,
    created_at: iso(factor.createdAt),
    last_used_at: factor.lastUsedAt === null ? null : iso(factor.lastUsedAt),
    ...(factor.remaining !== undefined ? { remaining: factor.remaining } : {}),
    ...(factor.deviceType !== undefined ? { device_type: factor.deviceType } : {}),
    ...(factor.backedUp !== undefined ? { backed_up: factor.backedUp } : {}),
  };
}

const params = z.object({ id: z.string().min(1).max(200) });

/**
 * A user's second factors: listed and removed by an administrator (a lost phone, a person who
 * left), each removal audited. Setting one up is the person's own (the account page), since
 * only they hold the device.
 */
export async function userFactorsRoutes(scope: FastifyInstance, { services, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { users, mfa } = services;
  const tags = ['users'];

  async function userIdOf(id: string): Promise<string> {
    const row = await users.findRow(id);
    if (!row) throw new GatehouseError('user_not_found', `No user with the id "${id}".`);
    return row.id;
  }

  app.get('/users/:id/factors', {
    schema: {
      tags, summary: 'A user\'s second factors: the authenticator app once confirmed, each passkey, the recovery codes while any remain',
      params, response: { 200: z.object({ items: z.array(factorView) }), ...recordProblems },
    },
  }, async (request) => ({ items: (await mfa.factors.list(await userIdOf(request.params.id))).map(viewOf) }));

  app.delete('/users/:id/factors/:factor_id', {
    schema: {
      tags,
      summary: 'Remove one of a user\'s second factors (audited as mfa.factor_removed); removing the last app or passkey voids the recovery codes too',
      params: params.extend({ factor_id: z.string().min(1).max(1400) }),
      response: { ...noContent, ...recordProblems },
    },
  }, async (request, reply) => {
    await mfa.factors.remove(actor(request), await userIdOf(request.params.id), request.params.factor_id);
    return reply.code(204).send(null);
  });
}
