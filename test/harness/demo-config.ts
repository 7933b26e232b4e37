/**
 * The demo's config: the same code paths as production, with short intervals and windows so
 * a leak, its alerts, the restart and the recovery happen within a couple of minutes.
 */
import { HeapwatchConfigInput } from '../../src/config';
import { AGENT_ENV } from '../../src/contract';

export const DEMO_CONFIG: HeapwatchConfigInput = {
  heap: {
    // Every 2 s: on a loaded machine the leak's heap of small records takes 0.3-0.6 s per full
    // GC, and near the old-space limit the agent forces one only after 4 such pauses without
    // one (src/agent/README.md): the check at the liveness count waits for that up to 1 s.
    checkIntervalSeconds: 2,
    // NodejsHeapUsageHigh (for 5s) pages before the streak (10 checks) so both messages arrive:
    // the critical streak alert then inhibits the warning for the same pod.
    streakAlertChecks: 10,
    livenessFailChecks: 15,
    // Two startup probes (every 5 s): the first one may come before the app listens.
    startupGraceSeconds: 10,
    oldSpaceLimitRatio: 0.25,
    // 64 MiB of old space (half the GC work of 128 for the reason above) with 1 MiB semi-spaces
    // (derived would be 2 MiB): heap_size_limit is 67 MiB, so the leak can hold the ratio well
    // above 0.85 while staying clear of V8's own out-of-memory.
    maxSemiSpaceMiB: 1,
  },
  app: {
    // 256Mi: the idle app's snapshot (estimated 60-70 MiB of RSS) fits, so the on-request
    // snapshot is taken; the leak's ~55 MiB of small records would cost about 0.45 GiB to
    // snapshot (2 GiB estimated), so the pre-restart snapshot is refused, as it would be in
    // production (src/agent/snapshot-model.ts, bench/README.md).
    resources: { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '256Mi' },
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

/**
 * Test-only agent env on top of the Deployment's (the constructs leave these at their product
 * value): the top allocation sites refresh every 5 s, not every minute, so that the streak's
 * Slack message, about 20 s after the leak starts, names the leak's site. With the minute, the
 * last read was of the idle app, and the message said no profile names a site yet.
 */
export const DEMO_AGENT_ENV: Readonly<Record<string, string>> = {
  [AGENT_ENV.allocationSitesRefreshSeconds]: '5',
};
