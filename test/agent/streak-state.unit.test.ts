/**
 * The streak and the liveness decision as pure state machines (src/agent/streak.ts,
 * livezAnswer in src/agent/liveness-server.ts): no child process, no clock, no heap. The same
 * behaviour on a real leaking app is in streak.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { livezAnswer } from '../../src/agent/liveness-server';
import { LivenessChange, Streak, StreakEvent, StreakSettings } from '../../src/agent/streak';

const SETTINGS: StreakSettings = { streakAlertChecks: 3, livenessFailChecks: 5, startupGraceSeconds: 60 };
const AFTER_GRACE = 120;

/** Feeds `highs` to a new machine; returns each check's streak, events and liveness change. */
function run(highs: readonly boolean[], o: { settings?: StreakSettings; stillHigh?: (i: number) => boolean; uptime?: (i: number) => number } = {}) {
  const m = new Streak(o.settings ?? SETTINGS);
  return highs.map((high, i) => {
    const events: StreakEvent[] = m.record(high);
    const change: LivenessChange = m.decideLiveness(o.stillHigh ? o.stillHigh(i) : high, o.uptime ? o.uptime(i) : AFTER_GRACE);
    return { streak: m.streak, checks: m.checks, events, change, failing: m.livenessFailing };
  });
}

const repeat = (n: number, high: boolean) => Array.from({ length: n }, () => high);

describe('agent streak state machine', () => {
  it('grows by one per high check and resets at the first low check', () => {
    const r = run([true, true, true, false, true, false, false]);
    assert.deepEqual(r.map((x) => x.streak), [1, 2, 3, 0, 1, 0, 0]);
    assert.deepEqual(r.map((x) => x.checks), [1, 2, 3, 4, 5, 6, 7]);
  });

  it('logs the first high check, the alert count and every further alert count, and the recovery after an alert', () => {
    const r = run([...repeat(7, true), false, true, false]);
    assert.deepEqual(r.map((x) => x.events), [
      ['went-high'], [], ['persistent'], [], [], ['persistent'], [], ['recovered'], ['went-high'], [],
    ]);
  });

  it('logs the restart-recommended message at once when the alert count is 1', () => {
    const r = run([true, true, false], { settings: { ...SETTINGS, streakAlertChecks: 1 } });
    assert.deepEqual(r.map((x) => x.events), [['went-high', 'persistent'], ['persistent'], ['recovered']]);
  });

  it('fails liveness exactly at the fail count, reports the change once, and passes again at the first low check', () => {
    const r = run([...repeat(7, true), false, false]);
    assert.deepEqual(r.map((x) => x.failing), [false, false, false, false, true, true, true, false, false]);
    assert.deepEqual(r.map((x) => x.change), [null, null, null, null, 'started-failing', null, null, 'passing-again', null]);
  });

  it('does not fail while the forced GC brings the heap back under the threshold', () => {
    const r = run(repeat(8, true), { stillHigh: (i) => i !== 4 && i !== 5 });
    assert.deepEqual(r.map((x) => x.failing), [false, false, false, false, false, false, true, true]);
  });

  it('does not fail inside the start-up grace, and fails at the first check after it', () => {
    const r = run(repeat(8, true), { uptime: (i) => i * 10 });
    assert.deepEqual(r.map((x) => x.failing), [false, false, false, false, false, false, true, true]);
  });

  it('says which check can start failing /livez: at and past the count, after the grace, while /livez passes', () => {
    const m = new Streak(SETTINGS);
    const may: boolean[] = [];
    for (const [i, high] of [true, true, true, true, true, true, false, true].entries()) {
      m.record(high);
      may.push(m.mayStartFailing(AFTER_GRACE));
      // The fifth check's full GC says busy, the sixth's full.
      m.decideLiveness(i === 5, AFTER_GRACE);
    }
    assert.deepEqual(may, [false, false, false, false, true, true, false, false]);
    assert.equal(m.livenessFailing, false, 'passing again after the low check');
    const inGrace = new Streak(SETTINGS);
    for (let i = 0; i < 6; i++) inGrace.record(true);
    assert.equal(inGrace.mayStartFailing(SETTINGS.startupGraceSeconds - 1), false);
    assert.equal(inGrace.mayStartFailing(SETTINGS.startupGraceSeconds), true);
    assert.equal(new Streak({ ...SETTINGS, livenessFailChecks: 0 }).mayStartFailing(AFTER_GRACE), false);
  });

  it('never fails when the fail count is 0', () => {
    const r = run(repeat(100, true), { settings: { ...SETTINGS, livenessFailChecks: 0 } });
    assert.ok(r.every((x) => !x.failing && x.change === null));
    assert.equal(r.at(-1)!.streak, 100);
  });
});

describe('agent /livez answer', () => {
  const base = { livenessFailing: false, disabled: false, streak: 2, checks: 9, ratio: 0.123456 };

  it('answers 200 "ok" with the streak, the checks and the ratio to 4 places', () => {
    assert.deepEqual(livezAnswer(base), { status: 200, body: { status: 'ok', streak: 2, checks: 9, ratio: 0.1235 } });
  });

  it('answers 503 "failing" while the streak machine says so', () => {
    const a = livezAnswer({ ...base, livenessFailing: true, streak: 60 });
    assert.equal(a.status, 503);
    assert.equal(a.body.status, 'failing');
  });

  it('answers 200 "disabled" after a fault, even when it was failing: a broken monitor must not restart the app', () => {
    assert.deepEqual(livezAnswer({ ...base, livenessFailing: true, disabled: true }).status, 200);
    assert.equal(livezAnswer({ ...base, livenessFailing: true, disabled: true }).body.status, 'disabled');
  });
});
