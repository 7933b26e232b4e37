/**
 * The old-space limit the agent reads from Node's flags, and the heaps near it (where a forced
 * GC is taken with care, V8's ineffective-GC rule applying from 80 % of that limit). Pure.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxOldSpaceBytes, NEAR_LIMIT_SHARE, nearOldSpaceLimit } from '../../src/agent/old-space';

const MiB = 1024 * 1024;

describe('maxOldSpaceBytes', () => {
  it('reads --max-old-space-size from NODE_OPTIONS, in MiB', () => {
    assert.equal(maxOldSpaceBytes([], '--require /opt/heapwatch/heapwatch-agent.js --max-old-space-size=768'), 768 * MiB);
  });

  it('takes the last one, the command line after NODE_OPTIONS, either spelling', () => {
    assert.equal(maxOldSpaceBytes(['--max_old_space_size=256'], '--max-old-space-size=768 --max-old-space-size=512'), 256 * MiB);
    assert.equal(maxOldSpaceBytes([], '--max-old-space-size=768 --max_old_space_size=512'), 512 * MiB);
  });

  it('is null when none is set, or the value is not a positive whole number of MiB', () => {
    assert.equal(maxOldSpaceBytes([], undefined), null);
    assert.equal(maxOldSpaceBytes(['--max-semi-space-size=16'], '--expose-gc'), null);
    assert.equal(maxOldSpaceBytes([], '--max-old-space-size=0'), null);
    assert.equal(maxOldSpaceBytes([], '--max-old-space-size=1.5'), null);
    assert.equal(maxOldSpaceBytes([], '--max-old-space-size-x=128'), null);
  });
});

describe('nearOldSpaceLimit', () => {
  it(`is true from ${NEAR_LIMIT_SHARE} of the limit, and always when the limit is unknown`, () => {
    assert.equal(nearOldSpaceLimit(NEAR_LIMIT_SHARE * 64 * MiB - 1, 64 * MiB), false);
    assert.equal(nearOldSpaceLimit(NEAR_LIMIT_SHARE * 64 * MiB, 64 * MiB), true);
    assert.equal(nearOldSpaceLimit(1, null), true);
  });
});
