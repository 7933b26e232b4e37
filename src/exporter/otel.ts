/**
 * OpenTelemetry host metrics, rendered by @opentelemetry/exporter-prometheus's serializer
 * and cached. Why not per scrape and why not all groups: the network group spawns a shell on
 * every collect, so it is left out, and the rest is collected on a timer so a scrape only copies
 * a string (collecting per scrape missed the CPU and p99 targets). Why sdk-metrics and not
 * sdk-node: sdk-node loads every OTLP exporter even when none is used, which put the sidecar's
 * idle RSS over its target, and the sidecar only needs a MeterProvider and one reader.
 * bench/exporter.ts measures both side by side; the README has the figures.
 *
 * The process.* group describes the sidecar itself, so it is renamed under
 * EXPORTER_SELF_PREFIX: the unprefixed process_* names belong to the app.
 * system.cpu.* drop the per-core label, so the series count does not grow with the node.
 */
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { HostMetrics } from '@opentelemetry/host-metrics';
import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { createAllowListAttributesProcessor, MeterProvider, ViewOptions } from '@opentelemetry/sdk-metrics';
import { EXPORTER_SELF_PREFIX } from '../contract';

export interface OtelOptions {
  /** Seconds between host-metric collections. */
  readonly refreshSeconds: number;
  /** host-metrics groups to collect. @default ["system.cpu", "system.memory", "process.cpu", "process.memory"] */
  readonly metricGroups?: readonly string[];
}

export interface OtelMetrics {
  /** The latest rendered exposition text ('' before the first collection). */
  text(): string;
  /** Collects now and re-renders (also runs on the timer). */
  refresh(): Promise<void>;
  shutdown(): Promise<void>;
}

const SELF_RENAMES: Record<string, string> = {
  'process.cpu.time': `${EXPORTER_SELF_PREFIX}process_cpu_time`,
  'process.cpu.utilization': `${EXPORTER_SELF_PREFIX}process_cpu_utilization`,
  'process.memory.usage': `${EXPORTER_SELF_PREFIX}process_memory_usage`,
};

/**
 * How the MeterProvider is made around the Prometheus reader. The sidecar uses
 * sdk-metrics directly; the bench also measures @opentelemetry/sdk-node through this seam.
 */
export type OtelSetup = (reader: PrometheusExporter, views: ViewOptions[]) => { readonly meterProvider: ApiMeterProvider; shutdown(): Promise<void> };

export const sdkMetricsSetup: OtelSetup = (reader, views) => {
  const provider = new MeterProvider({ readers: [reader], views });
  return { meterProvider: provider, shutdown: () => provider.shutdown() };
};

export const DEFAULT_HOST_METRIC_GROUPS = ['system.cpu', 'system.memory', 'process.cpu', 'process.memory'] as const;

export function otelViews(): ViewOptions[] {
  return [
    ...Object.entries(SELF_RENAMES).map(([instrumentName, name]) => ({ instrumentName, name })),
    { instrumentName: 'system.cpu.*', attributesProcessors: [createAllowListAttributesProcessor(['system.cpu.state'])] },
  ];
}

export function startOtel(options: OtelOptions, setup: OtelSetup = sdkMetricsSetup): OtelMetrics {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const provider = setup(reader, otelViews());
  new HostMetrics({ meterProvider: provider.meterProvider, name: 'heapwatch-exporter', metricGroups: [...(options.metricGroups ?? DEFAULT_HOST_METRIC_GROUPS)] }).start();
  // No target_info or otel_scope_* labels: Prometheus' own target labels identify the pod.
  const serializer = new PrometheusSerializer('', false, undefined, true, true);
  let text = '';
  const refresh = async () => {
    const { resourceMetrics } = await reader.collect();
    text = serializer.serialize(resourceMetrics);
  };
  const timer = setInterval(() => void refresh().catch(() => undefined), options.refreshSeconds * 1000);
  timer.unref();
  return {
    text: () => text,
    refresh,
    shutdown: async () => {
      clearInterval(timer);
      await provider.shutdown();
    },
  };
}
