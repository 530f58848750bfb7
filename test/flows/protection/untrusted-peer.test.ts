import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { badClientAuthentication, LoginForm, protectionDeclarations } from './support.js';

for (const dialect of dialects) {
  describe(`IP throttling without trusted proxies (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;

    // Time stands still, so that the failures fall in one window however slowly they are checked.
    before(async () => {
      time = pinTime();
      server = await startServer({ dialect, clock: time, declarations: protectionDeclarations() });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    const rotating = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}`, forwarded: `for=192.0.2.${i}`, 'x-real-ip': `192.0.2.${i}` });

    test('rotating X-Forwarded-For and Forwarded from an untrusted peer does not escape the throttle', async () => {
      const form = new LoginForm(server);
      for (let i = 0; i < 20; i += 1) {
        assert.equal((await form.attempt(`employee${i}`, 'Winter2026!', rotating(i))).status, 401, `attempt ${i + 1}`);
      }
      const throttled = await form.attempt('employee20', 'Winter2026!', rotating(20));
      assert.equal(throttled.status, 429);
      assert.ok(Number(throttled.retryAfter) >= 1);
    });

    test('rotating them does not escape the client authentication throttle either', async () => {
      for (let i = 0; i < 20; i += 1) {
        assert.equal((await badClientAuthentication(server, rotating(30 + i))).status, 401, `attempt ${i + 1}`);
      }
      assert.equal((await badClientAuthentication(server, rotating(50))).status, 429, 'the socket address is the one counted');
    });
  });
}
