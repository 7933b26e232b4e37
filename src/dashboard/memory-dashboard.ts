/** The heapwatch memory dashboard: variables, annotations and the sections, in reading order. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { requireResolved, ResolvedConfig } from '../config';
import { DASHBOARD_UID } from '../contract';
import { annotations } from './annotations';
import { SectionFactory } from './section';
import { containerSection } from './sections/container';
import { eventLoopAlertsSection } from './sections/event-loop-alerts';
import { heapSection } from './sections/heap';
import { nowSection } from './sections/now';
import { v8GcSection } from './sections/v8-gc';
import { variables } from './variables';

export const DASHBOARD_TITLE = 'heapwatch / Node.js memory';

/** Top to bottom: the verdict first, then the evidence. */
const SECTIONS: readonly SectionFactory[] = [nowSection, heapSection, containerSection, v8GcSection, eventLoopAlertsSection];

/** Builds the dashboard JSON model for a resolved config (`resolveConfig()`). */
export function buildMemoryDashboard(config: ResolvedConfig): dashboard.Dashboard {
  requireResolved(config, 'buildMemoryDashboard()');
  const builder = new dashboard.DashboardBuilder(DASHBOARD_TITLE)
    .uid(DASHBOARD_UID)
    .description('Heap-aware memory view of Node.js services watched by heapwatch: heap against its limit, ' +
      'streaks, restarts, container memory, V8 heap spaces, GC and event-loop lag.')
    .tags(['heapwatch', 'nodejs', 'memory'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .variables(variables())
    .annotations(annotations(config));

  // Rows stay expanded, so their panels follow them at the top level (Grafana ignores the
  // panels inside an expanded row); ids are numbered in reading order so they are stable.
  let nextId = 1;
  for (const factory of SECTIONS) {
    const section = factory(config);
    builder.withRow(new dashboard.RowBuilder(section.title).id(nextId++));
    for (const panel of section.panels) builder.withPanel(panel.id(nextId++));
  }
  return builder.build();
}
