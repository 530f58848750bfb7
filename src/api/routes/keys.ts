import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defaults } from '../../config/defaults.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { KeySummary } from '../../keys/key-service.js';
import type { ApiContext } from '../management-api.js';
import { commonProblems, recordProblems } from '../problem.js';

const time = z.iso.datetime().nullable();

/**
 * The public members of a JWK (RFC 7517, 7518 §6, RFC 8037) and nothing else: whatever a stored
 * JWK carries beyond them, a private part above all, is stripped from the answer.
 */
const publicJwk = z.object({
  kty: z.string(), kid: z.string().optional(), alg: z.string().optional(), use: z.string().optional(),
  crv: z.string().optional(), x: z.string().optional(), y: z.string().optional(), n: z.string().optional(), e: z.string().optional(),
}).strip().meta({ id: 'PublicJwk' });

const keyView = z.object({
  kid: z.string(),
  purpose: z.string().describe('`signing:<alg>` (id_tokens) or `cookie` (the engine\'s cookies).'),
  alg: z.string().nullable().describe('The signing algorithm; null for the cookie key.'),
  status: z.enum(['active', 'next', 'retired']).describe('`next`: published, not signing yet; `active`: signs; `retired`: only verifies, until removed.'),
  created_at: z.iso.datetime(),
  status_changed_at: z.iso.datetime(),
  activates_at: time.describe('A `next` key: when it starts signing.'),
  retires_at: time.describe('An `active` key with a successor waiting: when the successor takes over and this one retires.'),
  removed_at: time.describe('A `retired` key: when it stops being published (signing) or accepted (cookie).'),
  public_jwk: publicJwk.nullable().describe('A signing key\'s public JWK, as the JWKS publishes it; null for the cookie key, whose material is never shown.'),
}).strip().meta({ id: 'Key' });

const rotateBody = z.object({
  immediately: z.boolean().default(false)
    .describe('For a compromised key: the new keys sign at once and every other key is removed at once, which ends every session and invalidates every id_token issued before.'),
}).strict();

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** Each key with its schedule: an active key retires when the waiting key of its purpose activates. */
function viewsOf(keys: KeySummary[]) {
  const successor = new Map(keys.filter((key) => key.status === 'next').map((key) => [key.purpose, key.activatesAt]));
  return keys.map((key) => ({
    kid: key.kid,
    purpose: key.purpose,
    alg: key.algorithm ?? null,
    status: key.status,
    created_at: new Date(key.createdAt).toISOString(),
    status_changed_at: new Date(key.statusChangedAt).toISOString(),
    activates_at: iso(key.activatesAt),
    retires_at: key.status === 'active' ? iso(successor.get(key.purpose)) : null,
    removed_at: iso(key.removedAt),
    public_jwk: key.publicJwk ? { ...key.publicJwk, kty: key.publicJwk.kty ?? '' } : null,
  }));
}

/** Signing and cookie keys: their public facts, and starting a rotation, which every instance follows. */
export async function keysRoutes(scope: FastifyInstance, { services, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { keys } = services;
  const { clock } = services.deps;
  const tags = ['keys'];

  app.get('/keys', {
    schema: {
      tags, summary: 'List the keys: signing keys by algorithm, then the cookie key; active, next, retired. Public facts only',
      response: { 200: z.object({ items: z.array(keyView) }), ...commonProblems },
    },
  }, async () => ({ items: viewsOf(await keys.list()) }));

  app.post('/keys/rotate', {
    schema: {
      tags,
      summary: `Start a key rotation: new keys are published now and sign ${defaults.keys.publishBeforeUseSeconds / 3600} hours later; 409 while one is under way unless immediately`,
      body: rotateBody.nullish().describe("Optional: a request without a body starts a rotation that waits for the publish period."),
      response: {
        200: z.object({
          applied: z.array(z.object({ kid: z.string(), purpose: z.string(), change: z.enum(['activated', 'retired', 'removed']) }))
            .describe('Steps of an earlier rotation that were due, applied first.'),
          stored: z.array(keyView).describe('The new keys.'),
          removed: z.array(keyView).describe('With immediately: the keys removed.'),
        }),
        ...commonProblems,
        409: recordProblems[409],
      },
    },
  }, async (request) => {
    const immediately = request.body?.immediately ?? false;
    if (!immediately) {
      // The service refuses too (and alone sees a race); this says it in the API's words.
      const waiting = (await keys.list()).filter((key) => key.status === 'next' && key.activatesAt! > clock.now());
      if (waiting.length > 0) {
        const activation = new Date(Math.min(...waiting.map((key) => key.activatesAt!))).toISOString();
        throw new GatehouseError('conflict', `A key rotation is under way: its new keys become active at ${activation}. Rotate again after that, or send {"immediately": true} if a key is compromised.`);
      }
    }
    const rotation = await keys.rotate(actor(request), { immediately });
    return { applied: rotation.applied, stored: viewsOf(rotation.stored), removed: viewsOf(rotation.removed) };
  });
}
