/**
 * The app's metrics (the unprefixed standard names and heapwatch's per-app families),
 * computed at scrape time from the latest fresh agent reading. With no fresh reading every
 * family is empty: a stale value would look like a healthy app that stopped changing.
 */
import type { Registry } from 'prom-client';
import { AgentReading, METRICS } from '../contract';
import { registerComputed } from './computed-family';
import { registerGcHistogram } from './gc-histogram';

/** The reading the metrics describe, or undefined when it is not fresh. */
export type CurrentReading = () => AgentReading | undefined;

type Value = (r: AgentReading) => number | null | undefined;

function single(registry: Registry, name: string, help: string, value: Value, current: CurrentReading, type: 'gauge' | 'counter' = 'gauge'): void {
  registerComputed(registry, {
    name,
    help,
    type,
    samples: () => {
      const r = current();
      const v = r === undefined ? undefined : value(r);
      return v === undefined || v === null ? [] : [{ value: v }];
    },
  });
}

function labelled(registry: Registry, name: string, help: string, label: string, values: (r: AgentReading) => Record<string, number>, current: CurrentReading): void {
  registerComputed(registry, {
    name,
    help,
    type: 'gauge',
    samples: () => {
      const r = current();
      return r === undefined ? [] : Object.entries(values(r)).map(([k, value]) => ({ labels: { [label]: k }, value }));
    },
  });
}

export function registerReadingMetrics(registry: Registry, current: CurrentReading): void {
  single(registry, METRICS.heapUsed, 'V8 heap used by the app process, bytes.', (r) => r.heapUsed, current);
  single(registry, METRICS.heapTotal, 'V8 heap total (committed) of the app process, bytes.', (r) => r.heapTotal, current);
  single(registry, METRICS.heapLimit, 'V8 heap size limit of the app process (heap_size_limit), bytes.', (r) => r.heapLimit, current);
  single(registry, METRICS.external, 'Memory of C++ objects bound to JavaScript objects in the app process, bytes.', (r) => r.external, current);
  labelled(registry, METRICS.heapSpaceUsed, 'V8 heap space used by the app process, bytes.', 'space', (r) => r.spaces, current);
  single(registry, METRICS.rss, 'Resident memory of the app process, bytes.', (r) => r.rss, current);
  single(registry, METRICS.eventLoopLagP99, 'p99 event loop delay of the app process over the last check interval, seconds.', (r) => r.eventLoopLagP99, current);
  single(registry, METRICS.startTime, 'Start time of the app process since the unix epoch, seconds.', (r) => r.startTime, current);
  labelled(registry, METRICS.memoryUsage, "process.memoryUsage() of the app process by type, bytes (the origin plan's gauge).", 'type',
    (r) => ({ rss: r.rss, heapTotal: r.heapTotal, heapUsed: r.heapUsed, external: r.external, arrayBuffers: r.arrayBuffers }), current);
  registerGcHistogram(registry, current);

  single(registry, METRICS.heapUsedRatio, 'Heap used / V8 heap size limit of the app process.', (r) => r.ratio, current);
  single(registry, METRICS.heapUsedTotalRatio, "Heap used / heap total of the app process (the origin plan's ratio; 85-95 % is normal).", (r) => r.totalRatio, current);
  single(registry, METRICS.highStreak, 'Consecutive heap checks above the high ratio.', (r) => r.streak, current);
  single(registry, METRICS.liveAfterGc, 'Heap used right after the last major GC, bytes.', (r) => r.liveAfterGc, current);
  single(registry, METRICS.livenessFailing, "1 while the agent's /livez answers 503.", (r) => (r.livenessFailing ? 1 : 0), current);
  single(registry, METRICS.forcedGcReclaimed, "Bytes the agent's last forced GC reclaimed.", (r) => r.forcedGc.lastReclaimedBytes, current);
  single(registry, METRICS.forcedGc, 'Forced GCs the heapwatch agent has run in the app process.', (r) => r.forcedGc.count, current, 'counter');
  registerComputed(registry, {
    name: METRICS.allocationSiteBytes,
    help: "Sampled live heap bytes by the code that allocated them (V8's sampling heap profiler): the top sites, function and file:line.",
    type: 'gauge',
    // From the latest reading only: a site that left the top 5 has no series any more.
    samples: () => (current()?.allocationSites ?? []).map((s) => ({ labels: { function: s.function, location: s.location }, value: s.bytes })),
  });
  single(registry, METRICS.allocationSampledBytes, 'All sampled live heap bytes of the allocation profile the sites come from (their shares are of this).',
    (r) => r.allocationSampledBytes, current);
}
