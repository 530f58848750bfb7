import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInFailedMessage } from '../../../src/sign-in/password-method.js';
import { dialects } from '../../helpers/databases.js';
import { dave, mallory } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { LoginForm, protectionDeclarations, type AttemptResult } from './support.js';

/** Headers that differ between any two responses, or with the length of the echoed user name. */
// Every answer has its own request id, whatever it answers; everything else must be the same.
const varyingHeaders = new Set(['date', 'content-length', 'x-request-id']);

function headersOf(result: AttemptResult): Record<string, string> {
  const headers: Record<string, string> = {};
  result.page!.headers.forEach((value, name) => {
    if (!varyingHeaders.has(name)) headers[name] = value;
  });
  return headers;
}

/** The page without the user name the form echoes back into its input. */
function bodyOf(result: AttemptResult): string {
  return result.page!.body.replace(/(<input id="username"[^>]*value=")[^"]*"/, '$1"');
}

for (const dialect of dialects) {
  describe(`equal answers for every failed sign-in (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;

    // Time stands still, so that dave is still locked when the locked answer is asked for.
    before(async () => {
      time = pinTime();
      server = await startServer({ dialect, clock: time, declarations: protectionDeclarations({ ip_threshold: 10000 }) });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('unknown user, wrong password, disabled user and locked user get the same status, text, headers and page', async () => {
      const form = new LoginForm(server);
      for (let i = 0; i < 5; i += 1) await form.attempt('dave', `wrong ${i}`);
      const answers = {
        unknown: await form.attempt('nobody-at-all', 'some password'),
        wrong: await form.attempt('alice', 'not her password'),
        disabled: await form.attempt('mallory', mallory.password),
        locked: await form.attempt('dave', dave.password),
      };
      for (const [name, answer] of Object.entries(answers)) {
        assert.equal(answer.signedIn, false, name);
        assert.equal(answer.status, 401, name);
        assert.equal(answer.error, signInFailedMessage, name);
        assert.deepEqual(headersOf(answer), headersOf(answers.wrong), `${name}: headers`);
        assert.equal(bodyOf(answer), bodyOf(answers.wrong), `${name}: page`);
      }
    });
  });
}
