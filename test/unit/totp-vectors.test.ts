/*
 * RFC 6238 Appendix B: the SHA1 test vectors (8 digits, the ASCII secret "12345678901234567890",
 * 30-second steps), through the functions the TOTP service checks codes with. Production uses 6
 * digits, the same HMAC truncated to its last six: checked here too.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeAt, matchingStep } from '../../src/mfa/totp.js';

const asciiSecret = new TextEncoder().encode('12345678901234567890');
/** The same 20 bytes in base32, as a QR code carries a secret and the service stores it. */
const base32Secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

const vectors: Array<[epochSeconds: number, code: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('RFC 6238 Appendix B, SHA1', () => {
  for (const [time, code] of vectors) {
    test(`T = ${time}: ${code}`, async () => {
      const step = Math.floor(time / 30);
      for (const secret of [asciiSecret, base32Secret]) {
        assert.equal(await codeAt(secret, time, 8), code);
        assert.equal(await matchingStep(secret, code, time, { digitCount: 8 }), step);
        assert.equal(await codeAt(secret, time), code.slice(-6), 'six digits: the last six of the same value');
      }
      assert.equal(await matchingStep(asciiSecret, code.slice(-6), time), step, 'the service\'s six digits');
      // One step of drift each way, not two; and a step already used does not match again.
      assert.equal(await matchingStep(asciiSecret, code, time + 30, { digitCount: 8 }), step);
      assert.equal(await matchingStep(asciiSecret, code, time - 30, { digitCount: 8 }), step);
      assert.equal(await matchingStep(asciiSecret, code, time + 60, { digitCount: 8 }), undefined);
      assert.equal(await matchingStep(asciiSecret, code, time, { digitCount: 8, afterStep: step }), undefined);
      assert.equal(await matchingStep(asciiSecret, code, time, { digitCount: 8, afterStep: step - 1 }), step);
    });
  }

  test('what is not a code of the right length is no match, not an error', async () => {
    for (const typed of ['', '1234567', '123456789', '9428708a', ' 94287082']) {
      assert.equal(await matchingStep(asciiSecret, typed, 59, { digitCount: 8 }), undefined, JSON.stringify(typed));
    }
  });
});
