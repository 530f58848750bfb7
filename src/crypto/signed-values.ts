import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../runtime/clock.js';

/**
 * Short-lived values that come back through a browser and must be the ones Gatehouse handed
 * out: a payload and its expiry, with an HMAC under a key derived from the master secret for
 * this purpose, so that they need no storage and hold on every instance.
 */
export function createSignedValues(key: Buffer, clock: Clock) {
  const mac = (body: string) => createHmac('sha256', key).update(body).digest('base64url');
  return {
    sign(payload: string, lifetimeSeconds: number): string {
      const body = Buffer.from(JSON.stringify({ payload, until: clock.now() + lifetimeSeconds * 1000 })).toString('base64url');
      return `${body}.${mac(body)}`;
    },
    /** The payload, when the value is one of ours and unexpired. */
    open(value: string): string | undefined {
      const [body = '', tag = ''] = value.split('.');
      const expected = Buffer.from(mac(body));
      const given = Buffer.from(tag);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const { payload, until } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { payload: string; until: number };
      return until > clock.now() ? payload : undefined;
    },
  };
}

export type SignedValues = ReturnType<typeof createSignedValues>;
