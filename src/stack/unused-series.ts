import { EXPORTER_SELF_PREFIX } from '../contract';

/**
 * Sidecar series that no rule, dashboard panel or runbook reads: Prometheus drops them at scrape
 * time (the exporter job's metric_relabel_configs, the PodMonitor's metricRelabelings) unless
 * prometheus.dropUnusedSeries is false, 20 of a pod's 100 samples. The sidecar still serves them
 * on /metrics. A drop list, not a keep list, so a family the sidecar adds later is kept until
 * someone decides; test/stack/unused-series.test.ts fails if a rule or panel reads one.
 * Not in src/contract.ts: the agent bundles that, and never needs this list.
 */
export const UNUSED_SIDECAR_SERIES = [
  // OpenTelemetry host metrics are the node's CPU and memory, not the pod's: one copy per pod of a node.
  'system_cpu_time_total',
  'system_cpu_utilization',
  'system_memory_usage',
  'system_memory_utilization',
  // The sidecar's own process: cAdvisor already gives the sidecar container's CPU and memory.
  `${EXPORTER_SELF_PREFIX}process_cpu_time_total`,
  `${EXPORTER_SELF_PREFIX}process_cpu_utilization`,
  `${EXPORTER_SELF_PREFIX}process_memory_usage`,
  // Unreadable reading files (agent and sidecar of different versions): the sidecar logs each one too.
  `${EXPORTER_SELF_PREFIX}agent_lines_rejected_total`,
] as const;

/** The list as the regex a relabel rule on `__name__` matches (Prometheus anchors it at both ends). */
export const UNUSED_SIDECAR_SERIES_REGEX = UNUSED_SIDECAR_SERIES.join('|');
