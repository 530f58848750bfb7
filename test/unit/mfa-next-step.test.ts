/*
 * The decision after a first factor (src/sign-in/mfa/next-step.ts), case by case: what is
 * required, what the user has, what they proved and what they came to set up.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Requirement } from '../../src/mfa/mfa-requirement.js';
import { nextStep } from '../../src/sign-in/mfa/next-step.js';

const none = { totp: false, passkeys: 0 };
const app = { totp: true, passkeys: 0 };
const key = { totp: false, passkeys: 1 };
const need = (level: Requirement['level'], enrolled = none, askEnrolled = false): Requirement => ({ level, enrolled: { ...enrolled, recoveryCodes: 0 }, askEnrolled });

describe('the step after a first factor', () => {
  test('nothing required and nothing set up: the sign-in ends', () => {
    assert.deepEqual(nextStep({ amr: ['pwd'], requirement: need('pwd'), enrol: undefined }), { kind: 'finish' });
  });

  test('a factor set up under optional or required is asked; off leaves it alone', () => {
    assert.deepEqual(nextStep({ amr: ['pwd'], requirement: need('pwd', app, true), enrol: undefined }), { kind: 'challenge', passkeyOnly: false, level: 'mfa' });
    assert.deepEqual(nextStep({ amr: ['pwd'], requirement: need('pwd', app, false), enrol: undefined }), { kind: 'finish' });
  });

  test('required without a factor: set one up, any kind', () => {
    assert.deepEqual(nextStep({ amr: ['fed'], requirement: need('mfa'), enrol: undefined }), { kind: 'enrol', factor: 'any', level: 'mfa' });
  });

  test('a passkey sign-in meets every level; two factors meet mfa but not phr', () => {
    assert.deepEqual(nextStep({ amr: ['hwk', 'user', 'mfa'], requirement: need('phr', key), enrol: undefined }), { kind: 'finish' });
    assert.deepEqual(nextStep({ amr: ['pwd', 'otp', 'mfa'], requirement: need('mfa', app), enrol: undefined }), { kind: 'finish' });
    assert.deepEqual(nextStep({ amr: ['pwd', 'otp', 'mfa'], requirement: need('phr', app), enrol: undefined }), { kind: 'enrol', factor: 'passkey', level: 'phr' });
  });

  test('phr with a passkey asks for the passkey only; with only an app, the app first', () => {
    assert.deepEqual(nextStep({ amr: ['pwd'], requirement: need('phr', { totp: true, passkeys: 1 }), enrol: undefined }), { kind: 'challenge', passkeyOnly: true, level: 'phr' });
    assert.deepEqual(nextStep({ amr: ['pwd'], requirement: need('phr', app), enrol: undefined }), { kind: 'challenge', passkeyOnly: false, level: 'phr' });
  });

  test('setting up another factor needs the one set up first; the first needs nothing more', () => {
    assert.deepEqual(nextStep({ amr: ['pwd'], requirement: need('pwd', key), enrol: 'totp' }), { kind: 'challenge', passkeyOnly: false, level: 'mfa' });
    assert.deepEqual(nextStep({ amr: ['pwd', 'hwk', 'mfa'], requirement: need('pwd', key), enrol: 'totp' }), { kind: 'enrol', factor: 'totp', level: 'pwd' });
    assert.deepEqual(nextStep({ amr: ['pwd'], requirement: need('pwd'), enrol: 'passkey' }), { kind: 'enrol', factor: 'passkey', level: 'pwd' });
  });

  test('acr_values none of which are known: left to the engine, which refuses the request', () => {
    assert.deepEqual(nextStep({ amr: ['pwd'], requirement: need('unsupported', app, true), enrol: undefined }), { kind: 'finish' });
  });
});
