import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localPath } from '../../src/sign-in/local-path.js';

test('a path of Gatehouse\'s own is kept, with its query and fragment', () => {
  assert.equal(localPath('/account?tab=security#mfa'), '/account?tab=security#mfa');
  assert.equal(localPath('/'), '/');
  assert.equal(localPath('/a/../b'), '/b');
  assert.equal(localPath('/%2F%2Fevil.example'), '/%2F%2Fevil.example', 'encoded slashes are a path segment, not a host');
});

test('anything that could lead off-site, or is not a path, becomes /', () => {
  for (const value of [
    undefined, '', 'account', 'https://evil.example/', 'http://127.0.0.1:1/', '//evil.example', '///evil.example', '/\\evil.example', '/\\/evil.example',
    '\\\\evil.example', '/\t/evil.example', '/\n/evil.example', '/a\\b', 'javascript:alert(1)', ' /account', '/./\\evil',
  ]) {
    assert.equal(localPath(value), '/', `${JSON.stringify(value)}`);
  }
});

test('a path that only resolves to // after dot segments is not taken as a host', () => {
  assert.equal(localPath('/.//evil.example'), '/');
});
