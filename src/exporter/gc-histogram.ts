/**
 * nodejs_gc_duration_seconds{kind} as a real Prometheus histogram, written straight from the
 * agent's cumulative buckets: prom-client's Histogram can only observe single values, and
 * replaying counts through observe() would lose the agent's sums.
 */
import type { Registry } from 'prom-client';
import { AgentReading, GC_BUCKETS_SECONDS, METRICS } from '../contract';
import { registerComputed, Sample } from './computed-family';

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

export function registerGcHistogram(registry: Registry, current: () => AgentReading | undefined): void {
  registerComputed(registry, {
    name: METRICS.gcDuration,
    help: 'Garbage collection pause duration of the app process by kind, seconds (from the heapwatch agent).',
    type: 'histogram',
    samples: () => gcHistogramSamples(current()),
  });
}
