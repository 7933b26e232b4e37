/**
 * The sidecar's own prom-client Registry (never the global one, so tests and embedders do
 * not collide): the families the sidecar itself owns, plus the app's families from readings.
 */
import { Counter, Registry } from 'prom-client';
import { EXPORTER_SELF_PREFIX, METRICS } from '../contract';
import { HELP, restartSamples } from '../metric-families';
import { registerComputed } from './computed-family';
import { CurrentReading, registerReadingMetrics } from './reading-metrics';

export const SNAPSHOT_OUTCOMES = { written: 'written', failed: 'failed', refused: 'refused' } as const;
export type SnapshotOutcome = keyof typeof SNAPSHOT_OUTCOMES;

export interface ExporterMetricsOptions {
  /** Whether the source has a fresh reading (heapwatch_agent_up). */
  readonly agentUp: () => boolean;
  /** Restart counts by reason (persisted by the restart tracker). */
  readonly restarts: () => Readonly<Record<string, number>>;
  /** The app container's memory limit, when known. */
  readonly containerMemoryLimit: () => number | undefined;
  /** The app's reading; set for source=agent. @default - no app families from readings */
  readonly current?: CurrentReading;
}

export interface ExporterMetrics {
  readonly registry: Registry;
  readonly snapshots: Counter<'outcome'>;
  readonly profiles: Counter<'outcome'>;
  readonly rejectedLines: Counter;
}

export function createExporterMetrics(options: ExporterMetricsOptions): ExporterMetrics {
  const registry = new Registry();
  registerComputed(registry, {
    name: METRICS.agentUp,
    help: HELP.agentUp,
    type: 'gauge',
    samples: () => [{ value: options.agentUp() ? 1 : 0 }],
  });
  registerComputed(registry, {
    name: METRICS.appRestarts,
    help: HELP.appRestarts,
    type: 'counter',
    samples: () => restartSamples(options.restarts()),
  });
  registerComputed(registry, {
    name: METRICS.containerMemoryLimit,
    help: HELP.containerMemoryLimit,
    type: 'gauge',
    samples: () => {
      const v = options.containerMemoryLimit();
      return v === undefined ? [] : [{ value: v }];
    },
  });
  const outcomes = (name: string, help: string) => {
    const counter = new Counter({ name, help, labelNames: ['outcome'], registers: [registry] });
    for (const outcome of Object.values(SNAPSHOT_OUTCOMES)) counter.inc({ outcome }, 0);
    return counter;
  };
  const snapshots = outcomes(METRICS.snapshots, 'Heap snapshot requests by outcome (written, failed, refused).');
  const profiles = outcomes(METRICS.heapProfiles, 'Allocation profile requests by outcome (written, failed, refused).');
  const rejectedLines = new Counter({
    name: `${EXPORTER_SELF_PREFIX}agent_lines_rejected_total`,
    help: 'Lines from the agent the sidecar dropped (socket lines or reading-file versions: bad JSON, bad shape, too long).',
    registers: [registry],
  });
  if (options.current) registerReadingMetrics(registry, options.current);
  return { registry, snapshots, profiles, rejectedLines };
}
