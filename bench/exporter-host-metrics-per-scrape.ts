/**
 * Bench-only entry: the sidecar as shipped, except that host metrics are collected on every
 * scrape and include the system.network group (host-metrics' defaults), to show what the
 * shipped choice (a timer, no network group) saves. bench/exporter.ts bundles and measures it.
 */
import { serve } from '../src/exporter/serve';

serve({ hostMetricGroups: ['system.cpu', 'system.memory', 'system.network', 'process.cpu', 'process.memory'], hostMetricsPerScrape: true });
