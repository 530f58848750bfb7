import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UserRow } from '../../db/queries/users.js';
import { GatehouseError, isGatehouseError } from '../../errors/gatehouse-error.js';
import { normalizeIdentifier } from '../../users/normalize.js';
import { attributeValue, profileSchema, userInputSchema, type Profile } from '../../users/user-schema.js';
import type { AttributeValue } from '../../users/user.js';
import type { UserFields } from '../../users/user-service.js';
import type { ApiContext } from '../management-api.js';
import { confirmedRows, decodeCursor, pageFrom, pageOf, pageQuery } from '../pagination.js';
import { commonProblems, noContent, recordProblems } from '../problem.js';
import { timestamps } from '../timestamps.js';
import { userSessionRoutes } from './user-sessions.js';

/** What the API shows of a user: the configuration file's fields, profile claims at the top, and facts; never the password or its hash. */
const userView = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().optional().describe('Normalized: lower case.'),
  ...profileSchema.shape,
  groups: z.array(z.string()),
  attributes: z.record(z.string(), attributeValue),
  disabled: z.boolean(),
  has_password: z.boolean(),
  declared: z.boolean().describe('Declared in the configuration file: change it there, not through the API.'),
  ...timestamps,
}).strip().meta({ id: 'User' });

const userIdParams = z.object({ id: z.string().min(1).max(200) });

const fields = userInputSchema.shape;

/** A new user, with the configuration file's field names; `password` is checked against the password policy. */
const createBody = profileSchema.extend({ username: fields.username, email: fields.email, password: fields.password, groups: fields.groups, attributes: fields.attributes, disabled: fields.disabled }).strict();

type Claims = typeof profileSchema.shape;
const removableClaims = Object.fromEntries(Object.entries(profileSchema.shape).map(([claim, rule]) => [claim, rule.nullable()])) as { [Claim in keyof Claims]: z.ZodNullable<Claims[Claim]> };

/**
 * A partial change: each field given replaces its value (groups and attributes whole, profile
 * claims one by one), null removes email or a claim. The password, disabling and deletion have
 * requests of their own.
 */
const patchBody = z.object({ username: fields.username, email: fields.email.nullable(), ...removableClaims, groups: fields.groups.unwrap(), attributes: fields.attributes.unwrap() }).partial().strict();

function viewOf(row: UserRow) {
  return {
    ...(JSON.parse(row.profile) as Profile),
    id: row.id,
    username: row.username,
    ...(row.email !== null ? { email: row.email } : {}),
    groups: JSON.parse(row.groups) as string[],
    attributes: JSON.parse(row.attributes) as Record<string, AttributeValue>,
    disabled: row.disabled === 1,
    has_password: row.password_hash !== null,
    declared: row.owner === 'config_file',
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** The password policy's refusal, naming the field it refused so that a form can show it there. */
async function policyNamingPassword<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!isGatehouseError(error) || error.code !== 'password_policy') throw error;
    throw new GatehouseError('password_policy', error.message, { details: [{ path: 'body.password', message: error.message }], cause: error });
  }
}

/** Users: a change takes effect at the next sign-in or token request, on every instance; disabling and deletion end what the user holds at once. */
export async function usersRoutes(scope: FastifyInstance, context: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { services, actor } = context;
  const { users } = services;
  const tags = ['users'];

  async function found(id: string): Promise<UserRow> {
    const row = await users.findRow(id);
    if (!row) throw new GatehouseError('user_not_found', `No user with the id "${id}".`);
    return row;
  }

  app.get('/users', {
    schema: {
      tags, summary: 'List users, in order of their normalized user name',
      querystring: z.object({
        ...pageQuery,
        q: z.string().min(1).max(200).optional().describe('Only users whose user name or email contains this, ignoring case.'),
        group: z.string().min(1).max(200).optional().describe('Only the members of this group (exact name).'),
      }),
      response: { 200: pageOf(userView), ...commonProblems },
    },
  }, async (request) => {
    const { limit, cursor, q, group } = request.query;
    const [after] = decodeCursor(cursor, z.tuple([z.string()])) ?? [undefined];
    // The columns searched hold user names and emails normalized (NFKC, lower case): the text is compared in the same form.
    const text = q?.normalize('NFKC').toLowerCase();
    const matches = (row: UserRow) => (text === undefined || row.username_normalized.includes(text) || (row.email ?? '').includes(text))
      && (group === undefined || (JSON.parse(row.groups) as string[]).includes(group));
    const rows = await confirmedRows((from, batch) => users.rowsAfter(from, batch, { text, group }), matches, (row) => row.username_normalized, after, limit);
    return pageFrom(rows, limit, (row) => [row.username_normalized], viewOf);
  });

  app.post('/users', {
    schema: { tags, summary: 'Create a user', body: createBody, response: { 201: userView, ...recordProblems } },
  }, async (request, reply) => {
    const { username, email, password, groups, attributes, disabled, ...profile } = request.body;
    const { user } = await policyNamingPassword(users.createUser(actor(request), {
      username, email, profile, groups, attributes, disabled, ...(password !== undefined ? { credential: { password } } : {}),
    }));
    return reply.code(201).send(viewOf(await found(user.id)));
  });

  app.get('/users/:id', {
    schema: { tags, summary: 'Read a user', params: userIdParams, response: { 200: userView, ...recordProblems } },
  }, async (request) => viewOf(await found(request.params.id)));

  app.patch('/users/:id', {
    schema: { tags, summary: 'Change some of a user\'s fields', params: userIdParams, body: patchBody, response: { 200: userView, ...recordProblems } },
  }, async (request) => {
    const { id } = request.params;
    const { username, email, groups, attributes, ...claims } = request.body;
    await users.updateUser(actor(request), id, (current) => {
      const changes: Partial<UserFields> = {};
      if (username !== undefined) changes.username = username;
      if (email !== undefined) changes.email = email ?? undefined;
      if (groups !== undefined) changes.groups = groups;
      if (attributes !== undefined) changes.attributes = attributes;
      // A new address is not verified because the old one was: relying parties, and sign-ins that link by a verified email, trust the claim.
      const emailMoved = email !== undefined && (email === null ? undefined : normalizeIdentifier(email)) !== current.email;
      const unverified = emailMoved && claims.email_verified === undefined && current.profile.email_verified !== undefined ? { email_verified: null } : {};
      if (Object.keys(claims).length > 0 || Object.keys(unverified).length > 0) {
        const merged = { ...current.profile, ...unverified, ...claims };
        changes.profile = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== null)) as Profile;
      }
      return changes;
    });
    return viewOf(await found(id));
  });

  app.delete('/users/:id', {
    schema: { tags, summary: 'Delete a user; its sessions and tokens end at once', params: userIdParams, response: { ...noContent, ...recordProblems } },
  }, async (request, reply) => {
    await users.deleteUser(actor(request), request.params.id);
    return reply.code(204).send(null);
  });

  app.post('/users/:id/disable', {
    schema: { tags, summary: 'Disable a user: it cannot sign in, and its sessions and tokens end at once', params: userIdParams, response: { 200: userView, ...recordProblems } },
  }, async (request) => {
    await users.disableUser(actor(request), request.params.id);
    return viewOf(await found(request.params.id));
  });

  app.post('/users/:id/enable', {
    schema: { tags, summary: 'Enable a disabled user', params: userIdParams, response: { 200: userView, ...recordProblems } },
  }, async (request) => {
    await users.enableUser(actor(request), request.params.id);
    return viewOf(await found(request.params.id));
  });

  app.post('/users/:id/password', {
    schema: {
      tags, summary: 'Set a user\'s password (checked against the password policy); it is never shown again',
      params: userIdParams, body: z.object({ password: z.string() }).strict(), response: { ...noContent, ...recordProblems },
    },
  }, async (request, reply) => {
    await policyNamingPassword(users.setPassword(actor(request), request.params.id, request.body.password));
    return reply.code(204).send(null);
  });

  await userSessionRoutes(app, context, { params: userIdParams, found });
}
