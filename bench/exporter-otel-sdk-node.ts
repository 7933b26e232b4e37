/**
 * Bench-only entry: the sidecar exactly as shipped, except that its OpenTelemetry
 * MeterProvider comes from @opentelemetry/sdk-node (the design's expected entry point)
 * instead of @opentelemetry/sdk-metrics. bench/exporter.ts bundles and measures both.
 */
import { metrics } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { serve } from '../src/exporter/serve';

serve({
  otelSetup: (reader, views) => {
    // No traces, logs, instrumentations or resource detectors: only the metrics reader.
    const sdk = new NodeSDK({ metricReaders: [reader], views, instrumentations: [], resourceDetectors: [], spanProcessors: [], logRecordProcessors: [] });
    sdk.start();
    return { meterProvider: metrics.getMeterProvider(), shutdown: () => sdk.shutdown() };
  },
});
