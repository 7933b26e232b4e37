/** Restart markers on every time series: any app restart, and the heap-streak restarts heapwatch caused. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { ResolvedConfig } from '../config';
import { COLOR } from './panels';
import { DATASOURCE } from './queries';
import { heapStreakRestartWithin, processRestartedWithin } from './restarts';

/**
 * The annotation step and window: a restart must show in at least one window, so the window
 * spans a few checks (scrapes), and at least a minute so the step stays cheap. Whole minutes,
 * because Grafana reads only the first unit of a step such as "1m20s".
 */
function markerWindow(config: ResolvedConfig): string {
  return `${Math.ceil(Math.max(60, 4 * config.heap.checkIntervalSeconds) / 60)}m`;
}

export function annotations(config: ResolvedConfig): dashboard.AnnotationQueryBuilder[] {
  const window = markerWindow(config);
  const marker = (name: string, expr: string, color: string, title: string) =>
    new dashboard.AnnotationQueryBuilder()
      .name(name)
      .datasource(DATASOURCE)
      .enable(true)
      .iconColor(color)
      .expr(expr)
      .step(window)
      .titleFormat(title)
      .textFormat('{{namespace}}/{{pod}}')
      .tagKeys('pod');
  return [
    marker('App restarts', processRestartedWithin(window), COLOR.target, 'App process restarted'),
    marker('Heap-streak restarts', heapStreakRestartWithin(window), COLOR.high, 'Restarted for a heap streak'),
  ];
}
