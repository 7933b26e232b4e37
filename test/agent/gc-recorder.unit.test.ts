/**
 * When one more full GC is safe (GcRecorder.quietInMs): the app must have run 4 (the agent's
 * factor) times the longest recent full-GC pause since the last full GC, the agent's own last
 * forced GC always among those pauses. Pure: times and pauses are given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GcRecorder } from '../../src/agent/gc-recorder';

describe('GcRecorder.quietInMs', () => {
  it('is 0 before any full GC', () => {
    assert.equal(new GcRecorder().quietInMs(4, 1000), 0);
  });

  it('waits factor times the longest of the last 4 pauses after the last full GC', () => {
    const r = new GcRecorder();
    r.noteMajor(1000, 30);
    r.noteMajor(1100, 10);
    // Longest 30 ms: quiet from 1100 + 4 x 30 = 1220.
    assert.equal(r.quietInMs(4, 1150), 70);
    assert.equal(r.quietInMs(4, 1219), 1);
    assert.equal(r.quietInMs(4, 1220), 0);
    assert.equal(r.quietInMs(4, 5000), 0);
    // Four more short pauses push the 30 ms one out.
    for (const end of [1200, 1300, 1400, 1500]) r.noteMajor(end, 5);
    assert.equal(r.quietInMs(4, 1500), 20);
  });

  it('never moves the last end back for a GC reported late', () => {
    const r = new GcRecorder();
    r.noteMajor(2000, 10);
    r.noteMajor(1500, 10);
    assert.equal(r.lastMajorEndMs, 2000);
    assert.equal(r.quietInMs(4, 2000), 40);
  });

  it("always counts the agent's own last forced GC, and takes its result as the live heap", () => {
    const r = new GcRecorder();
    r.noteForced(1000, 50, 123_456);
    assert.equal(r.liveAfterGc, 123_456);
    assert.equal(r.lastMajorEndMs, 1000);
    for (const end of [1100, 1200, 1300, 1400]) r.noteMajor(end, 2);
    // Four short pauses since, but the 50 ms forced one still counts: 1400 + 200.
    assert.equal(r.quietInMs(4, 1400), 200);
    assert.equal(r.quietInMs(4, 1600), 0);
  });
});
