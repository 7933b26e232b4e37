/**
 * The demo's config: the same code paths as production, with short intervals and windows so
 * a leak, its alerts, the restart and the recovery happen within a couple of minutes.
 */
import { HeapwatchConfigInput } from '../../src/config';

export const DEMO_CONFIG: HeapwatchConfigInput = {
  heap: {
    checkIntervalSeconds: 1,
    // NodejsHeapUsageHigh (for 5s) pages before the streak (12 checks) so both messages arrive:
    // the critical streak alert then inhibits the warning for the same pod.
    streakAlertChecks: 12,
    livenessFailChecks: 20,
    // Two startup probes (every 5 s): the first one may come before the app listens.
    startupGraceSeconds: 10,
    oldSpaceLimitRatio: 0.25,
    // 128 MiB of old space with 1 MiB semi-spaces (derived would be 4 MiB): heap_size_limit is
    // 131 MiB, so the leak can hold the ratio well above 0.85 while staying clear of V8's own
    // out-of-memory (the highest reachable ratio is 0.977 instead of 0.914).
    maxSemiSpaceMiB: 1,
  },
  app: {
    // 512Mi with 0.25 of it as old space: the idle app's snapshot (estimated 60-70 MiB of RSS)
    // fits, so the on-request snapshot is taken; the leak's ~120 MiB of small records would
    // cost ~0.9 GiB to snapshot (4 GiB estimated), so the pre-restart snapshot is refused, as it
    // would be in production (src/agent/snapshot-model.ts, bench/README.md).
    resources: { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '512Mi' },
  },
  alerts: {
    heapHighFor: '5s',
    exporterDownFor: '5s',
    agentMissingFor: '5s',
    oomWindow: '30s',
  },
  alertmanager: { groupWait: '1s', groupInterval: '5s', repeatInterval: '1h', persistentStorage: true },
  prometheus: { evaluationInterval: '1s' },
  exporter: { snapshots: { cooldown: '1s' } },
};
