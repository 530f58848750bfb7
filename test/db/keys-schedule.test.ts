/*
 * The rotation schedule every instance runs (src/keys/rotation-schedule.ts), over real storage on
 * every dialect: it applies a due step at start and at each interval, logs what it changed,
 * warns once while the steps fail, and stopping waits for a step under way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { defaults } from '../../src/config/defaults.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import type { KeyService } from '../../src/keys/key-service.js';
import { startRotationSchedule } from '../../src/keys/rotation-schedule.js';
import type { Services } from '../../src/services.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('keys-schedule-test-secret-0123456789-abcdef');
const cli = { kind: 'cli', command: 'keys rotate' } as const;

/** A logger that keeps its lines' messages and levels. */
function keptLog() {
  const lines: Array<{ level: number; msg: string; kid?: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { logger, lines };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`${what}: not within 2 s`);
}

for (const dialect of dialects) {
  describe(`the key rotation schedule (${dialect})`, () => {
    const clock = pinnedClock(Date.UTC(2026, 11, 7, 9));
    let opened: Awaited<ReturnType<typeof openFreshServices>>;
    let services: Services;

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock });
      services = opened.services;
      await services.keys.ensure();
    });
    after(() => opened?.cleanup());

    test('applies a step that is due at start, and logs each change', async () => {
      const rotation = await services.keys.rotate(cli);
      clock.advance(defaults.keys.publishBeforeUseSeconds);
      const { logger, lines } = keptLog();
      const schedule = startRotationSchedule({ keys: services.keys, logger, everySeconds: 3600 });
      try {
        await until(async () => (await services.keys.list()).filter((key) => key.status === 'active').every((key) => rotation.stored.some((s) => s.kid === key.kid)), 'activated');
        await until(() => lines.length === 8, 'eight changes logged');
        assert.deepEqual(lines.filter((line) => line.msg === 'key activated by the rotation schedule').map((line) => line.kid).sort(), rotation.stored.map((key) => key.kid).sort());
        assert.equal(lines.filter((line) => line.msg === 'key retired by the rotation schedule').length, 4);
      } finally {
        await schedule.stop();
      }
    });

    test('applies a step that comes due at the next interval', async () => {
      const retired = (await services.keys.list()).filter((key) => key.status === 'retired');
      const { logger } = keptLog();
      const schedule = startRotationSchedule({ keys: services.keys, logger, everySeconds: 0.05 });
      try {
        clock.advance((retired[0]!.removedAt! - clock.now()) / 1000);
        await until(async () => (await services.keys.list()).every((key) => key.status === 'active'), 'retired keys removed');
      } finally {
        await schedule.stop();
      }
    });

    test('a step that fails is warned about once while it keeps failing, and once it works again that is said', async () => {
      let failing = true;
      let calls = 0;
      const keys = {
        advanceRotations: async () => {
          calls += 1;
          if (failing) throw new Error('the database is unreachable');
          return [];
        },
      } as unknown as KeyService;
      const { logger, lines } = keptLog();
      const schedule = startRotationSchedule({ keys, logger, everySeconds: 0.02 });
      try {
        await until(() => calls >= 5, 'five tries');
        assert.equal(lines.filter((line) => line.level === 40).length, 1, 'one warning');
        failing = false;
        await until(() => lines.some((line) => line.msg === 'applying due key rotation steps works again'), 'recovery said');
      } finally {
        await schedule.stop();
      }
    });

    test('stopping waits for a step under way', async () => {
      let finished = false;
      const keys = {
        advanceRotations: async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          finished = true;
          return [];
        },
      } as unknown as KeyService;
      const schedule = startRotationSchedule({ keys, logger: keptLog().logger, everySeconds: 3600 });
      await schedule.stop();
      assert.equal(finished, true);
    });
  });
}
