import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defaults } from '../../config/defaults.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { normalizeIdentifier } from '../../users/normalize.js';
import type { User } from '../../users/user.js';
import { userInputSchema } from '../../users/user-schema.js';
import type { ApiContext } from '../management-api.js';
import { decodeCursor, pageFrom, pageOf, pageQuery } from '../pagination.js';
import { commonProblems, noContent, recordProblems } from '../problem.js';

/** Validated as the configuration file validates a user's groups, so that the API cannot write a name the file could not. */
const groupName = userInputSchema.shape.groups.unwrap().element;

const groupView = z.object({
  name: z.string(),
  members: z.number().int().describe('How many users carry the group, disabled ones included.'),
}).meta({ id: 'Group' });

const memberView = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  disabled: z.boolean(),
  declared: z.boolean().describe('Declared in the configuration file: its groups change there, not through the API.'),
}).strip().meta({ id: 'GroupMember' });

const groupParams = z.object({ name: groupName });
const memberParams = groupParams.extend({ user_id: z.string().min(1).max(200) });

/** How many users one read of the listing takes while counting the groups. */
const countingBatch = defaults.api.maxPageSize;

const viewOf = (user: User) => ({ id: user.id, username: user.username, email: user.email ?? null, disabled: user.disabled, declared: user.owner === 'config_file' });

/**
 * Groups are names users carry (the `groups` claim; gatehouse-admins makes an administrator), not
 * records: a group exists while someone is in it, and adding a member is changing that user.
 */
export async function groupsRoutes(scope: FastifyInstance, { services, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { users } = services;
  const tags = ['groups'];

  async function foundUser(id: string): Promise<User> {
    const user = await users.findById(id);
    if (!user) throw new GatehouseError('not_found', `No user with the id "${id}".`);
    return user;
  }

  app.get('/groups', {
    schema: {
      tags, summary: `List every group users carry, in name order, with its member count; ${defaults.administratorsGroup} always. Not paged: counting reads every user`,
      response: { 200: z.object({ items: z.array(groupView) }), ...commonProblems },
    },
  }, async () => {
    const counts = new Map<string, number>([[defaults.administratorsGroup, 0]]);
    let after: string | undefined;
    for (;;) {
      const batch = await users.listAfter(after, countingBatch);
      for (const user of batch) for (const group of new Set(user.groups)) counts.set(group, (counts.get(group) ?? 0) + 1);
      if (batch.length < countingBatch) break;
      after = normalizeIdentifier(batch.at(-1)!.username);
    }
    const names = [...counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { items: names.map((name) => ({ name, members: counts.get(name)! })) };
  });

  app.get('/groups/:name/members', {
    schema: {
      tags, summary: 'List a group\'s members in user name order, disabled ones included; a group nobody carries is empty',
      params: groupParams, querystring: z.object(pageQuery),
      response: { 200: pageOf(memberView), ...commonProblems },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const [after] = decodeCursor(cursor, z.tuple([z.string()])) ?? [undefined];
    const members = (await users.inGroup(request.params.name))
      .map((user) => ({ user, key: normalizeIdentifier(user.username) }))
      .filter(({ key }) => after === undefined || key > after)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return pageFrom(members.slice(0, limit + 1), limit, ({ key }) => [key], ({ user }) => viewOf(user));
  });

  app.put('/groups/:name/members/:user_id', {
    schema: {
      tags, summary: 'Add a user to a group (a member already stays one); the groups claim carries it from the next token',
      params: memberParams,
      response: { 200: memberView, ...recordProblems },
    },
  }, async (request) => {
    const { name, user_id: userId } = request.params;
    await foundUser(userId);
    // Written even when the user is a member already, so that a declared user is refused the same way either way.
    return viewOf(await users.updateUser(actor(request), userId, (current) => ({ groups: current.groups.includes(name) ? current.groups : [...current.groups, name] })));
  });

  app.delete('/groups/:name/members/:user_id', {
    schema: {
      tags, summary: 'Remove a user from a group; the groups claim leaves it out from the next token',
      params: memberParams, response: { ...noContent, ...recordProblems },
    },
  }, async (request, reply) => {
    const { name, user_id: userId } = request.params;
    const user = await foundUser(userId);
    if (!user.groups.includes(name)) throw new GatehouseError('not_found', `User "${user.username}" is not a member of "${name}".`);
    await users.updateUser(actor(request), userId, (current) => ({ groups: current.groups.filter((group) => group !== name) }));
    return reply.code(204).send(null);
  });
}
