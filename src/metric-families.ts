/**
 * The app's metric families as they are computed from one AgentReading: name, type, HELP and
 * samples. Dependency-free, so both exporters share it: the sidecar registers each one in its
 * prom-client Registry (src/exporter/reading-metrics.ts), and the lean agent writes them itself
 * (src/agent/exposition.ts). One list, so lean mode's /metrics has the same names, labels,
 * types and HELP as the sidecar's for the same reading, and the rules and dashboard work on both.
 */
import { AgentReading, GC_BUCKETS_SECONDS, METRICS, RESTART_REASONS } from './contract';

export interface Sample {
  /** The series name when it differs from the family's (histogram _bucket, _sum, _count). */
  readonly metricName?: string;
  readonly labels?: Readonly<Record<string, string | number>>;
  readonly value: number;
}

export type FamilyType = 'gauge' | 'counter' | 'histogram';

/** A family computed from a reading: no sample when the reading does not have the value. */
export interface ReadingFamily {
  readonly name: string;
  readonly help: string;
  readonly type: FamilyType;
  readonly samples: (r: AgentReading) => readonly Sample[];
}

type Value = (r: AgentReading) => number | null | undefined;

function single(name: string, help: string, value: Value, type: FamilyType = 'gauge'): ReadingFamily {
  return {
    name, help, type, samples: (r) => {
      const v = value(r);
      return v === undefined || v === null ? [] : [{ value: v }];
    },
  };
}

function labelled(name: string, help: string, label: string, values: (r: AgentReading) => Record<string, number>): ReadingFamily {
  return { name, help, type: 'gauge', samples: (r) => Object.entries(values(r)).map(([k, value]) => ({ labels: { [label]: k }, value })) };
}

/**
 * nodejs_gc_duration_seconds{kind} as a real Prometheus histogram, written straight from the
 * agent's cumulative buckets (prom-client's Histogram can only observe single values, and
 * replaying counts through observe() would lose the agent's sums).
 */
export function gcHistogramSamples(reading: AgentReading | undefined): Sample[] {
  const name = METRICS.gcDuration;
  const samples: Sample[] = [];
  for (const [kind, h] of Object.entries(reading?.gc ?? {})) {
    if (!h) continue;
    GC_BUCKETS_SECONDS.forEach((le, i) => samples.push({ metricName: `${name}_bucket`, labels: { le, kind }, value: h.buckets[i] }));
    samples.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', kind }, value: h.count });
    samples.push({ metricName: `${name}_sum`, labels: { kind }, value: h.sum });
    samples.push({ metricName: `${name}_count`, labels: { kind }, value: h.count });
  }
  return samples;
}

/** The unprefixed standard names and heapwatch's per-app families, in the order they are written. */
export const READING_FAMILIES: readonly ReadingFamily[] = [
  single(METRICS.heapUsed, 'V8 heap used by the app process, bytes.', (r) => r.heapUsed),
  single(METRICS.heapTotal, 'V8 heap total (committed) of the app process, bytes.', (r) => r.heapTotal),
  single(METRICS.heapLimit, 'V8 heap size limit of the app process (heap_size_limit), bytes.', (r) => r.heapLimit),
  single(METRICS.external, 'Memory of C++ objects bound to JavaScript objects in the app process, bytes.', (r) => r.external),
  labelled(METRICS.heapSpaceUsed, 'V8 heap space used by the app process, bytes.', 'space', (r) => r.spaces),
  single(METRICS.rss, 'Resident memory of the app process, bytes.', (r) => r.rss),
  single(METRICS.eventLoopLagP99, 'p99 event loop delay of the app process over the last check interval, seconds.', (r) => r.eventLoopLagP99),
  single(METRICS.startTime, 'Start time of the app process since the unix epoch, seconds.', (r) => r.startTime),
  labelled(METRICS.memoryUsage, "process.memoryUsage() of the app process by type, bytes (kept for dashboards built on this gauge).", 'type',
    (r) => ({ rss: r.rss, heapTotal: r.heapTotal, heapUsed: r.heapUsed, external: r.external, arrayBuffers: r.arrayBuffers })),
  {
    name: METRICS.gcDuration,
    help: 'Garbage collection pause duration of the app process by kind, seconds (from the heapwatch agent).',
    type: 'histogram',
    samples: (r) => gcHistogramSamples(r),
  },
  single(METRICS.heapUsedRatio, 'Heap used / V8 heap size limit of the app process.', (r) => r.ratio),
  single(METRICS.heapUsedTotalRatio, "Heap used / heap total of the app process (what many Node.js monitors alert on; 85-95 % is normal).", (r) => r.totalRatio),
  single(METRICS.highStreak, 'Consecutive heap checks above the high ratio.', (r) => r.streak),
  single(METRICS.liveAfterGc, 'Heap used right after the last major GC, bytes.', (r) => r.liveAfterGc),
  single(METRICS.livenessFailing, "1 while the agent's /livez answers 503.", (r) => (r.livenessFailing ? 1 : 0)),
  single(METRICS.forcedGcReclaimed, "Bytes the agent's last forced GC reclaimed.", (r) => r.forcedGc.lastReclaimedBytes),
  single(METRICS.forcedGc, 'Forced GCs the heapwatch agent has run in the app process.', (r) => r.forcedGc.count, 'counter'),
  {
    name: METRICS.allocationSiteBytes,
    help: "Sampled live heap bytes by the code that allocated them (V8's sampling heap profiler): the top sites, function and file:line.",
    type: 'gauge',
    // From the latest reading only: a site that left the top 5 has no series any more.
    samples: (r) => (r.allocationSites ?? []).map((s) => ({ labels: { function: s.function, location: s.location }, value: s.bytes })),
  },
  single(METRICS.allocationSampledBytes, 'All sampled live heap bytes of the allocation profile the sites come from (their shares are of this).',
    (r) => r.allocationSampledBytes),
];

/** heapwatch_agent_up, heapwatch_app_restarts_total and the container limit: kept by whoever exports, not read from a reading. */
export const HELP = {
  agentUp: '1 when the sidecar has a fresh reading of the app (within 2.5 check intervals), else 0.',
  appRestarts: 'App process restarts seen by the sidecar, by reason (heap_streak when the agent left a restart marker).',
  containerMemoryLimit: "The app container's memory limit, bytes.",
} as const;

/** heapwatch_app_restarts_total's samples: every reason, 0 when none was counted. */
export function restartSamples(counts: Readonly<Record<string, number>>): Sample[] {
  return Object.values(RESTART_REASONS).map((reason) => ({ labels: { reason }, value: counts[reason] ?? 0 }));
}
