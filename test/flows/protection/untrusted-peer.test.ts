import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { badClientAuthentication, LoginForm, protectionDeclarations } from './support.js';

for (const dialect of dialects) {
  describe(`IP throttling without trusted proxies (${dialect})`, () => {
    let server: TestServer;

    before(async () => {
      server = await startServer({ dialect, declarations: protectionDeclarations() });
    });
    after(() => server?.close());

    test('rotating X-Forwarded-For and Forwarded from an untrusted peer does not escape the throttle', async () => {
      const form = new LoginForm(server);
      const rotating = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}`, forwarded: `for=192.0.2.${i}`, 'x-real-ip': `192.0.2.${i}` });
      for (let i = 0; i < 20; i += 1) {
        assert.equal((await form.attempt(`employee${i}`, 'Winter2026!', rotating(i))).status, 401, `attempt ${i + 1}`);
      }
      const throttled = await form.attempt('employee20', 'Winter2026!', rotating(20));
      assert.equal(throttled.status, 429);
      assert.ok(Number(throttled.retryAfter) >= 1);
      assert.equal((await badClientAuthentication(server, rotating(21))).status, 429, 'the socket address is throttled everywhere');
    });
  });
}
