/** The liveness spread (src/agent/streak.ts): stable for a pod name, spread over names, slots over one start-up time apart. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIVENESS_SPREAD_SLOTS, livenessSpread } from '../../src/agent/streak';

const DEFAULTS = { checkIntervalSeconds: 15, startupGraceSeconds: 120, livenessFailChecks: 60, streakAlertChecks: 20 };

/** Pod names as a Deployment makes them: <deployment>-<pod-template-hash>-<5 random characters>. */
function podNames(n: number): string[] {
  const chars = 'bcdfghjklmnpqrstvwxz2456789';
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: n }, () => `checkout-7d9c5b8f4-${Array.from({ length: 5 }, () => chars[next() % chars.length]).join('')}`);
}

describe('livenessSpread', () => {
  it('is the same for the same pod name (so a container restart keeps it)', () => {
    const a = livenessSpread('checkout-7d9c5b8f4-x2k9q', DEFAULTS);
    assert.deepEqual(livenessSpread('checkout-7d9c5b8f4-x2k9q', DEFAULTS), a);
  });

  it('makes each slot just over one start-up time: floor(startupGraceSeconds / checkIntervalSeconds) + 1 checks', () => {
    assert.equal(livenessSpread('p', DEFAULTS).slotChecks, 9);
    assert.ok(9 * DEFAULTS.checkIntervalSeconds > DEFAULTS.startupGraceSeconds);
    assert.equal(livenessSpread('p', { ...DEFAULTS, startupGraceSeconds: 0 }).slotChecks, 1);
    assert.equal(livenessSpread('p', { ...DEFAULTS, checkIntervalSeconds: 0.05, startupGraceSeconds: 0.5 }).slotChecks, 11);
  });

  it('spreads pod names over every slot about evenly', () => {
    const counts = new Array(LIVENESS_SPREAD_SLOTS).fill(0);
    for (const name of podNames(4000)) {
      const s = livenessSpread(name, DEFAULTS);
      assert.equal(s.extraChecks, s.slot * s.slotChecks);
      counts[s.slot]++;
    }
    for (const c of counts) assert.ok(c > 850 && c < 1150, `slots ${counts.join(', ')}`);
  });

  it('puts three replicas all in one slot about 1 time in SLOTS^2', () => {
    const names = podNames(6000);
    let together = 0;
    for (let i = 0; i < names.length; i += 3) {
      const slots = new Set(names.slice(i, i + 3).map((n) => livenessSpread(n, DEFAULTS).slot));
      if (slots.size === 1) together++;
    }
    const share = together / (names.length / 3);
    assert.ok(share > 0.03 && share < 0.1, `share ${share}, expected about ${1 / LIVENESS_SPREAD_SLOTS ** 2}`);
  });

  it('adds nothing without a pod name, or when liveness failures are off', () => {
    assert.equal(livenessSpread(null, DEFAULTS).extraChecks, 0);
    const off = podNames(50).map((n) => livenessSpread(n, { ...DEFAULTS, livenessFailChecks: 0 }).extraChecks);
    assert.deepEqual([...new Set(off)], [0]);
  });
});
