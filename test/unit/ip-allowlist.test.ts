import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCidrList } from '../../src/config/cidr.js';
import { createIpAllowlist } from '../../src/protection/ip-allowlist.js';

const allowlisted = createIpAllowlist(parseCidrList('10.0.0.0/8, 203.0.113.7, 2001:db8:aa::/48, ::ffff:192.0.2.0/120'));

test('an address is on the list when a range or a single address of it covers it', () => {
  assert.equal(allowlisted('10.1.2.3'), true);
  assert.equal(allowlisted('203.0.113.7'), true);
  assert.equal(allowlisted('2001:db8:aa:1::5'), true);
  assert.equal(allowlisted('11.0.0.1'), false);
  assert.equal(allowlisted('203.0.113.8'), false);
  assert.equal(allowlisted('2001:db8:ab::1'), false);
});

test('IPv4-mapped addresses and ranges count as the IPv4 they carry, as the throttles count them', () => {
  assert.equal(allowlisted('::ffff:10.9.8.7'), true);
  assert.equal(allowlisted('::ffff:203.0.113.7'), true);
  assert.equal(allowlisted('192.0.2.200'), true, 'a range written IPv4-mapped covers plain IPv4');
  assert.equal(allowlisted('192.0.3.1'), false);
});

test('an empty list and an address that does not parse allow nothing', () => {
  assert.equal(createIpAllowlist([])('10.1.2.3'), false);
  assert.equal(allowlisted('not-an-address'), false);
  assert.equal(allowlisted(''), false);
});
