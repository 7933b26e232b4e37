import { ResolvedConfig } from '../config';
import { buildMemoryDashboard } from './memory-dashboard';

/** File name of the memory dashboard in dashboards/ and in Grafana's provisioning ConfigMap. */
export const MEMORY_DASHBOARD_FILE = 'heapwatch-memory.json';

/**
 * Every dashboard as file name -> JSON text, standalone (no __inputs; the datasource is the
 * ${datasource} variable), ready for Grafana's file provisioning. Deterministic: the same
 * config gives the same bytes, so the committed files can be checked for drift.
 */
export function renderDashboards(config: ResolvedConfig): Record<string, string> {
  return { [MEMORY_DASHBOARD_FILE]: `${JSON.stringify(buildMemoryDashboard(config), null, 2)}\n` };
}
