/**
 * The guard (src/agent/guard.ts) and the agent's use of it: a fault in a guarded callback never
 * reaches the caller (the app), and the agent disables itself on the first one only, with one
 * error line. No child process: the agent is built but not started. The same promise on a real
 * app with a real fault is in fault.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Agent, AgentState } from '../../src/agent/agent';
import { guarded } from '../../src/agent/guard';
import { DEFAULTS } from '../../src/agent/settings';

/** Runs fn with process.stderr.write captured; returns what was written, line by line. */
function stderrOf(fn: () => void): string[] {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = write;
  }
  return written.join('').split('\n').filter((l) => l !== '');
}

describe('guarded', () => {
  it('passes the arguments through and returns the result when nothing throws', () => {
    const faults: unknown[] = [];
    const add = guarded((err) => faults.push(err), (a: number, b: number) => a + b);
    assert.equal(add(2, 3), 5);
    assert.deepEqual(faults, []);
  });

  it('hands what a callback throws to onFault and returns undefined instead of throwing', () => {
    const faults: unknown[] = [];
    const boom = new Error('boom');
    assert.equal(guarded((err) => faults.push(err), () => {
      throw boom;
    })(), undefined);
    // Not only Errors: a library may throw a string.
    assert.equal(guarded((err) => faults.push(err), () => {
      throw 'a string';
    })(), undefined);
    assert.deepEqual(faults, [boom, 'a string']);
  });

  it('reports every fault: disabling once is the agent\'s job, not the guard\'s', () => {
    let faults = 0;
    const fail = guarded(() => faults++, () => {
      throw new Error('again');
    });
    fail();
    fail();
    assert.equal(faults, 2);
  });
});

describe('Agent.guard', () => {
  it('disables the agent on the first fault only: one error line naming the error, the state says why', () => {
    const state: AgentState = { active: true, reason: null, pid: process.pid };
    const agent = new Agent({ ...DEFAULTS, dir: '/nonexistent/heapwatch-guard-test' }, state);
    let calls = 0;
    const check = agent.guard(() => {
      calls++;
      throw new TypeError('spaces is not iterable');
    });
    const lines = stderrOf(() => {
      assert.equal(check(), undefined);
      assert.equal(check(), undefined);
    }).map((l) => JSON.parse(l));
    assert.equal(calls, 2, 'both calls ran and neither threw');
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0].level, 'error');
    assert.equal(lines[0].msg, 'heapwatch agent disabled after an internal fault; the app is not affected');
    assert.equal(lines[0].error, 'spaces is not iterable');
    assert.match(lines[0].stack, /TypeError: spaces is not iterable/);
    assert.deepEqual(state, { active: false, reason: 'disabled-after-fault', pid: process.pid });
  });
});
