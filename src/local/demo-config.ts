/**
 * The demo's config: the same code paths as production, with short intervals and windows so
 * a leak, its alerts, the restart and the recovery happen within a couple of minutes.
 */
import { HeapwatchConfigInput } from '../config';

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
  },
  app: {
    // Why 512Mi and 0.25 rather than a smaller container: the agent only writes the
    // pre-restart heap snapshot when its cost model (about 48 MiB + 1.5 KiB per small heap
    // object) fits between RSS and the limit; a 192Mi container leaves no such room.
    // The semi-space is derived from the old space (4 MiB here), which keeps the heap ratio able
    // to reach 0.85 before the old space is full (test/e2e-heap-limit.test.ts).
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
