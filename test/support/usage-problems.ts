import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/options';

/** The problems a `heapwatch` argument parser lists for argv; fails the test when it accepts argv. */
export function usageProblems(parse: (argv: string[]) => unknown, argv: string[]): readonly string[] {
  try {
    parse(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    throw err;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}
