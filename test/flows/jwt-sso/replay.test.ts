/*
 * A token id is accepted once (issue 16, point 4): ten people's sign-ins returning with one
 * token at the same moment end in exactly one sign-in, on SQLite, on PostgreSQL, and across two
 * instances sharing PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isPage } from '../../helpers/browser.js';
import { dialects, skipWithoutPostgres } from '../../helpers/databases.js';
import type { TestServer } from '../../helpers/start-server.js';
import { jwtConnection } from './fixtures.js';
import { departThroughButton, failureOf, partnerToken, Person, startWorld, userNamed, type World } from './steps.js';

const people = 10;

/** Ten people leave for the partner; all come back at once with the same token, each through `via(i)`: how their returns ended. */
async function tenReturnsWithOneToken(world: World, email: string, via: (i: number) => TestServer | undefined, alsoAt: TestServer[] = []) {
  const departed = await Promise.all(Array.from({ length: people }, async () => {
    const person = new Person(world, alsoAt);
    return { person, ...(await departThroughButton(world, person, 'portal')) };
  }));
  const token = await partnerToken({ sub: `sub-${email}`, email });
  const returns = await Promise.all(departed.map(({ person, signInUrl }, i) => person.returnWith(signInUrl, token, via(i))));
  const signedIn = returns.filter((answer) => isPage(answer) && answer.document.querySelector('form[action$="/consent"]'));
  const refused = returns.filter((answer) => isPage(answer) && failureOf(answer).reason === 'jti_replayed');
  return { signedIn: signedIn.length, refused: refused.length, all: returns.length };
}

for (const dialect of dialects) {
  describe(`one token id, ten returns at once (${dialect})`, () => {
    let world: World;
    before(async () => {
      world = await startWorld({ dialect, connections: [jwtConnection('portal')] });
    });
    after(() => world?.close());

    test('exactly one sign-in; the nine others are refused as a replay and create nothing', async () => {
      const outcome = await tenReturnsWithOneToken(world, 'racer@partner.example', () => undefined);
      assert.deepEqual(outcome, { signedIn: 1, refused: people - 1, all: people });
      assert.ok(await userNamed(world.server, 'racer@partner.example'), 'one user');
      const links = await world.server.services.deps.db.selectFrom('user_identities').selectAll().where('subject', '=', 'sub-racer@partner.example').execute();
      assert.equal(links.length, 1);
    });
  });
}

describe('one token id, ten returns at once on two instances sharing PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let world: World;
  let sibling: TestServer;
  before(async () => {
    world = await startWorld({ dialect: 'postgres', connections: [jwtConnection('portal')] });
    sibling = await world.server.startSibling();
  });
  after(() => world?.close());

  test('exactly one sign-in whichever instance each return reaches', async () => {
    const outcome = await tenReturnsWithOneToken(world, 'split@partner.example', (i) => (i % 2 === 0 ? sibling : undefined), [sibling]);
    assert.deepEqual(outcome, { signedIn: 1, refused: people - 1, all: people });
  });

  test('a token used on one instance is refused on the other', async () => {
    const token = await partnerToken({ sub: 'twice', email: 'twice@partner.example' });
    const first = new Person(world, [sibling]);
    const { signInUrl: firstUrl } = await departThroughButton(world, first, 'portal');
    const firstAnswer = await first.returnWith(firstUrl, token);
    assert.ok(isPage(firstAnswer) && firstAnswer.document.querySelector('form[action$="/consent"]'), 'signed in on the first');
    const second = new Person(world, [sibling]);
    const { signInUrl: secondUrl } = await departThroughButton(world, second, 'portal');
    const secondAnswer = await second.returnWith(secondUrl, token, sibling);
    assert.ok(isPage(secondAnswer));
    assert.equal(failureOf(secondAnswer).reason, 'jti_replayed');
  });
});
