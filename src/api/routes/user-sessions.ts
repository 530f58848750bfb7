import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UserRow } from '../../db/queries/users.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { IdentityKey } from '../../users/identity-service.js';
import type { ApiContext } from '../management-api.js';
import { noContent, recordProblems } from '../problem.js';

/** What users.ts hands over: the id in the path, and the user it names or user_not_found. */
export interface UserRouteParts {
  params: z.ZodObject<{ id: z.ZodString }>;
  found: (id: string) => Promise<UserRow>;
}

const instant = z.iso.datetime();
const iso = (epochMs: number) => new Date(epochMs).toISOString();
const isoIfKnown = (epochMs: number | undefined | null) => (epochMs === undefined || epochMs === null ? undefined : iso(epochMs));

const sessionView = z.object({
  id: z.string().describe('The engine\'s uid of the session, not its cookie.'),
  client_ids: z.array(z.string()).describe('The applications signed in through it.'),
  amr: z.array(z.string()).optional().describe('How the person proved who they are (RFC 8176).'),
  signed_in_at: instant.optional(),
  created_at: instant.optional(),
  expires_at: instant.nullable(),
}).strip().meta({ id: 'UserSession' });

const grantView = z.object({
  id: z.string(),
  client_id: z.string().optional(),
  scope: z.string().optional().describe('The OpenID scopes granted.'),
  created_at: instant.optional(),
  expires_at: instant.nullable(),
}).strip().meta({ id: 'UserGrant' });

const identityView = z.object({
  id: z.string().describe('Names the link in DELETE /users/{id}/identities/{identity_id}.'),
  issuer: z.string(),
  subject: z.string(),
  linked_at: instant,
}).strip().meta({ id: 'LinkedIdentity' });

/** An identity's id in a URL: its issuer (a URL) and subject (any text) as one path segment. */
const identityIdOf = ({ issuer, subject }: IdentityKey) => Buffer.from(JSON.stringify([issuer, subject])).toString('base64url');

function identityKeyOf(identityId: string): IdentityKey | undefined {
  try {
    // No stored issuer or subject holds a NUL, and PostgreSQL could not even compare one.
    const parsed = z.tuple([z.string(), z.string()]).refine((key) => !key.some((part) => part.includes('\u0000')))
      .safeParse(JSON.parse(Buffer.from(identityId, 'base64url').toString('utf8')));
    return parsed.success ? { issuer: parsed.data[0], subject: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}

/** What a user holds besides its record: sessions and grants, identities at other issuers, the lock failed sign-ins put on it. */
export async function userSessionRoutes(scope: FastifyInstance, { services, actor }: ApiContext, { params, found }: UserRouteParts): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { users, identities } = services;
  const tags = ['users'];

  app.get('/users/:id/sessions', {
    schema: {
      tags, summary: 'A user\'s sessions and grants, as the engine holds them; never a token or cookie',
      params, response: { 200: z.object({ sessions: z.array(sessionView), grants: z.array(grantView) }), ...recordProblems },
    },
  }, async (request) => {
    const { sessions, grants } = await users.sessionsOf((await found(request.params.id)).id);
    return {
      sessions: sessions.map((session) => ({
        id: session.uid, client_ids: session.clientIds, amr: session.amr,
        signed_in_at: isoIfKnown(session.signedInAt), created_at: isoIfKnown(session.createdAt), expires_at: isoIfKnown(session.expiresAt) ?? null,
      })),
      grants: grants.map((grant) => ({
        id: grant.id, client_id: grant.clientId, scope: grant.scope, created_at: isoIfKnown(grant.createdAt), expires_at: isoIfKnown(grant.expiresAt) ?? null,
      })),
    };
  });

  app.delete('/users/:id/sessions', {
    schema: { tags, summary: 'End every session and grant of a user: its refresh and access tokens stop working at once', params, response: { ...noContent, ...recordProblems } },
  }, async (request, reply) => {
    await users.endSessions(actor(request), request.params.id);
    return reply.code(204).send(null);
  });

  app.get('/users/:id/identities', {
    schema: { tags, summary: 'A user\'s linked identities at upstream identity providers and partners', params, response: { 200: z.object({ items: z.array(identityView) }), ...recordProblems } },
  }, async (request) => {
    const rows = await identities.listFor((await found(request.params.id)).id);
    return { items: rows.map((row) => ({ id: identityIdOf(row), issuer: row.issuer, subject: row.subject, linked_at: iso(row.created_at) })) };
  });

  app.delete('/users/:id/identities/:identity_id', {
    schema: {
      tags, summary: 'Unlink an identity: its next sign-in follows its connection\'s rule for an unlinked identity',
      params: params.extend({ identity_id: z.string().min(1).max(4096) }), response: { ...noContent, ...recordProblems },
    },
  }, async (request, reply) => {
    const user = await found(request.params.id);
    const key = identityKeyOf(request.params.identity_id);
    if (!key || !(await identities.unlink(actor(request), user.id, key))) throw new GatehouseError('not_found', `User "${user.username}" has no such linked identity.`);
    return reply.code(204).send(null);
  });

  app.post('/users/:id/unlock', {
    schema: {
      tags, summary: 'Lift the lock failed sign-ins put on a user, and forget its failed sign-ins',
      params, response: { 200: z.object({ lifted: z.boolean().describe('False when there was nothing to lift.') }), ...recordProblems },
    },
  }, async (request) => ({ lifted: await services.protection.accounts.unlockUser(actor(request), (await found(request.params.id)).id) }));
}
