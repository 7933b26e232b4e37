/** The demo's picture: what the sampler and the alert watcher saw during a run, as an SVG. */
import { LocalStack } from './local-stack';
import { renderHeapChart } from './svg';

const COLORS: Record<string, string> = {
  NodejsHeapUsageHigh: '#f9a825',
  NodejsHeapHighStreak: '#c62828',
  NodejsRestartedForHeap: '#6a1b9a',
  HeapwatchExporterDown: '#546e7a',
  HeapwatchAgentMissing: '#78909c',
};

export function demoPicture(s: LocalStack, markers: { at: number; label: string }[], end = Date.now()): string {
  const sec = (at: number) => (at - s.t0) / 1000;
  const windows = s.alerts.episodes
    .filter((e) => e.firingSeenAt !== undefined && e.alertname !== 'Watchdog')
    .map((e) => ({ label: e.alertname, from: sec(e.firingSeenAt!), to: sec(e.endedSeenAt ?? end), color: COLORS[e.alertname] ?? '#8d6e63' }));
  return renderHeapChart({
    title: 'heapwatch demo: heap ratio of the watched app, alerts firing, liveness restart (measured run)',
    samples: s.sampler.samples.map((x) => ({ t: sec(x.at), ratio: x.status === 'down' || x.ratio === undefined ? null : x.ratio })),
    durationSeconds: Math.ceil(sec(end)),
    highRatio: s.config.heap.highRatio,
    targetRatio: s.config.heap.targetRatio,
    windows,
    markers: markers.map((m) => ({ t: sec(m.at), label: m.label })),
  });
}
