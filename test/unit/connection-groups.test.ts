import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupsFromConnection } from '../../src/users/connection-groups.js';

test('a connection\'s claimed groups become the user\'s, but gatehouse-admins is neither granted nor taken', () => {
  assert.deepEqual(groupsFromConnection([], ['staff', 'gatehouse-admins']), ['staff']);
  assert.deepEqual(groupsFromConnection(['old', 'gatehouse-admins'], ['new']), ['new', 'gatehouse-admins']);
  assert.deepEqual(groupsFromConnection(['old'], []), []);
});
