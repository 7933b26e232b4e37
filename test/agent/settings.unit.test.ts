/** The agent's settings from the environment (src/agent/settings.ts), without a child process. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, readSettings } from '../../src/agent/settings';
import { AGENT_ENV, INSPECTOR_PORT } from '../../src/contract';

describe('agent settings', () => {
  it('takes every variable the constructs set', () => {
    const s = readSettings({
      [AGENT_ENV.dir]: '/hw', [AGENT_ENV.checkIntervalSeconds]: '2.5', [AGENT_ENV.highRatio]: '0.9', [AGENT_ENV.ratioBasis]: 'total',
      [AGENT_ENV.streakAlertChecks]: '4', [AGENT_ENV.livenessFailChecks]: '0', [AGENT_ENV.livenessPort]: '9466',
      [AGENT_ENV.startupGraceSeconds]: '0', [AGENT_ENV.snapshotBeforeRestart]: 'FALSE', [AGENT_ENV.containerMemoryLimitBytes]: '1073741824',
      [AGENT_ENV.livenessToleranceSeconds]: '20', [AGENT_ENV.allocationProfile]: 'false', [AGENT_ENV.allocationSamplingIntervalBytes]: '65536',
      [AGENT_ENV.allocationSitesRefreshSeconds]: '5', [AGENT_ENV.podName]: 'checkout-7d9c5b8f4-x2k9q', [AGENT_ENV.metricsPort]: '9464',
    });
    assert.deepEqual(s, {
      dir: '/hw', checkIntervalSeconds: 2.5, highRatio: 0.9, ratioBasis: 'total', streakAlertChecks: 4, livenessFailChecks: 0, livenessPort: 9466,
      startupGraceSeconds: 0, snapshotBeforeRestart: false, containerMemoryLimitBytes: 1073741824, livenessToleranceSeconds: 20,
      allocationProfile: false, allocationSamplingIntervalBytes: 65536, allocationSitesRefreshSeconds: 5, podName: 'checkout-7d9c5b8f4-x2k9q', metricsPort: 9464,
    });
  });

  it('uses the defaults for unset or blank variables', () => {
    assert.deepEqual(readSettings({ [AGENT_ENV.highRatio]: '  ' }), DEFAULTS);
  });

  it('falls back to the default for each invalid value, the inspector port included', () => {
    const s = readSettings({
      [AGENT_ENV.livenessPort]: String(INSPECTOR_PORT), [AGENT_ENV.highRatio]: '1.5', [AGENT_ENV.ratioBasis]: 'used',
      [AGENT_ENV.streakAlertChecks]: '2.5', [AGENT_ENV.checkIntervalSeconds]: '0.01', [AGENT_ENV.snapshotBeforeRestart]: 'yes',
      [AGENT_ENV.allocationProfile]: 'on', [AGENT_ENV.allocationSamplingIntervalBytes]: '512',
      [AGENT_ENV.metricsPort]: String(INSPECTOR_PORT),
    });
    assert.equal(s.metricsPort, null, 'no /metrics on the inspector port');
    assert.equal(s.livenessPort, DEFAULTS.livenessPort);
    assert.equal(s.highRatio, DEFAULTS.highRatio);
    assert.equal(s.ratioBasis, DEFAULTS.ratioBasis);
    assert.equal(s.streakAlertChecks, DEFAULTS.streakAlertChecks);
    assert.equal(s.checkIntervalSeconds, DEFAULTS.checkIntervalSeconds);
    assert.equal(s.snapshotBeforeRestart, DEFAULTS.snapshotBeforeRestart);
    assert.equal(s.allocationProfile, DEFAULTS.allocationProfile);
    assert.equal(s.allocationSamplingIntervalBytes, DEFAULTS.allocationSamplingIntervalBytes);
  });
});
