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
    resources: { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '512Mi' },
    // Why: on Node 24 heap_size_limit is the old-space limit plus 3x the maximum semi-space
    // (192 MiB by default), so with a small old space used/limit cannot reach 0.85 before V8
    // runs out of old space. A 1 MiB semi-space keeps the ratio reachable (see the report and
    // test/e2e-heap-limit.test.ts, which checks the synthesized default).
    nodeOptions: '--max-semi-space-size=1',
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
