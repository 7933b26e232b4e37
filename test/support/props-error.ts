/** Asserting a construct's PropsError: which construct, and one problem per pattern, in order. */
import assert from 'node:assert/strict';
import { PropsError } from '../../src/config';

export function assertPropsError(build: () => unknown, construct: string, problems: readonly RegExp[]): void {
  assert.throws(build, (e: unknown) => {
    assert.ok(e instanceof PropsError, `expected PropsError, got ${e}`);
    assert.equal(e.construct, construct);
    assert.equal(e.problems.length, problems.length, `problems:\n${e.problems.join('\n')}`);
    problems.forEach((p, i) => assert.match(e.problems[i], p));
    assert.ok(e.message.startsWith(`${construct} props have ${problems.length} problem`), e.message);
    return true;
  });
}
