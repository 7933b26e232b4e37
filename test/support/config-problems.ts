/** The problems resolveConfig() reports for an input, for the config tests. */
import assert from 'node:assert/strict';
import { ConfigError, HeapwatchConfigInput, resolveConfig } from '../../src/config';

/** Resolves and returns the problems, failing the test if the config was accepted. */
export function problemsOf(input: unknown): readonly string[] {
  try {
    resolveConfig(input as HeapwatchConfigInput);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.problems;
  }
  assert.fail(`config was accepted: ${JSON.stringify(input)}`);
}
