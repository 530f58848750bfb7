import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri } from '../../helpers/applications.js';
import { obtainCallback, offline, signIn } from '../../helpers/code-flow.js';
import { dialects, postgresUrl, skipWithoutPostgres } from '../../helpers/databases.js';
import { newBrowser, oauthError } from '../../helpers/oauth.js';
import type { TestServer } from '../../helpers/start-server.js';
import { postToken } from '../../helpers/token-endpoint.js';
import { startCoreServer, type RelyingParties } from './steps.js';

const racers = 10;

interface Outcome {
  status: number;
  error: string | undefined;
  refreshToken: string | undefined;
}

/**
 * Sends the same token request from `racers` clients at once, spread over the given instances.
 * (On SQLite one process never interleaves two redemptions, since the driver is synchronous;
 * test/db/oidc-models.test.ts races the consuming statement itself from several threads.)
 */
async function race(instances: TestServer[], fields: Record<string, string>): Promise<Outcome[]> {
  return Promise.all(
    Array.from({ length: racers }, async (_, index) => {
      const { status, body } = await postToken(instances[index % instances.length]!, fields);
      return { status, error: body.error as string | undefined, refreshToken: body.refresh_token as string | undefined };
    }),
  );
}

function assertExactlyOneWinner(outcomes: Outcome[]): Outcome {
  const winners = outcomes.filter((o) => o.status === 200);
  const losers = outcomes.filter((o) => o.status !== 200);
  assert.equal(winners.length, 1, `exactly one success, got ${JSON.stringify(outcomes.map((o) => o.status))}`);
  assert.deepEqual(new Set(losers.map((o) => `${o.status} ${o.error}`)), new Set(['400 invalid_grant']));
  return winners[0]!;
}

for (const dialect of dialects) {
  describe(`concurrent redemption (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;

    before(async () => ({ server, rp } = await startCoreServer(dialect)));
    after(() => server?.close());

    async function codeRedemption() {
      const { pending, callback } = await obtainCallback(newBrowser(server), rp.spa, 'openid');
      return {
        grant_type: 'authorization_code',
        client_id: 'spa',
        code: callback.searchParams.get('code')!,
        code_verifier: pending.verifier,
        redirect_uri: redirectUri,
      };
    }

    async function refreshRedemption() {
      const first = await signIn(server, rp.spa, offline.scope, { params: offline.params });
      // One rotation first, so that the raced token is one the rotation issued.
      const rotated = await oidc.refreshTokenGrant(rp.spa, first.refresh_token!);
      return { grant_type: 'refresh_token', client_id: 'spa', refresh_token: rotated.refresh_token! };
    }

    async function bothInstances(): Promise<TestServer[]> {
      return [server, await server.startSibling()];
    }

    test(`${racers} concurrent redemptions of one authorization code: exactly one succeeds`, async () => {
      assertExactlyOneWinner(await race([server], await codeRedemption()));
    });

    test(`${racers} concurrent redemptions of one refresh token: exactly one succeeds, and the grant is revoked as reuse`, async () => {
      const winner = assertExactlyOneWinner(await race([server], await refreshRedemption()));
      assert.ok(winner.refreshToken, 'the winner got a rotated refresh token');
      assert.equal(await oauthError(oidc.refreshTokenGrant(rp.spa, winner.refreshToken)), 'invalid_grant');
    });

    // Shown as skipped on SQLite-only runs, so that a missing PostgreSQL is visible.
    if (dialect === 'postgres' || !postgresUrl) {
      describe('split over two instances sharing PostgreSQL', { skip: skipWithoutPostgres }, () => {
        test('one authorization code: exactly one succeeds', async () => {
          const instances = await bothInstances();
          assertExactlyOneWinner(await race(instances, await codeRedemption()));
        });

        test('one refresh token: exactly one succeeds', async () => {
          const instances = await bothInstances();
          assertExactlyOneWinner(await race(instances, await refreshRedemption()));
        });
      });
    }
  });
}
