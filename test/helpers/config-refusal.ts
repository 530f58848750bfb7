import assert from 'node:assert/strict';
import { isGatehouseError } from '../../src/errors/gatehouse-error.js';

/**
 * What Gatehouse says when it refuses a configuration: the attempt must fail with a
 * GatehouseError `config_invalid` whose message carries no stack trace. Fails when it succeeds.
 */
export async function configRefusal(attempt: () => unknown): Promise<string> {
  try {
    await attempt();
  } catch (error) {
    assert.ok(isGatehouseError(error), `expected a GatehouseError, got ${String(error)}`);
    assert.equal(error.code, 'config_invalid');
    assert.ok(!/\n\s+at /.test(error.message), 'no stack trace in the message');
    return error.message;
  }
  assert.fail('the configuration was accepted');
}
