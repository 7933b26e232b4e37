/** The two links every alert carries: its runbook and the memory dashboard, scoped to the alerting pod. */
import { ResolvedConfig, runbookUrl } from '../config';
import { AlertName, DASHBOARD_UID } from '../contract';

/**
 * The Grafana memory dashboard's URL. With `scoped` (the default) it selects the alert's
 * namespace and pod through the dashboard's variables, as a Go template Prometheus fills in.
 */
export function dashboardUrl(c: ResolvedConfig, scoped = true): string {
  const base = `${c.grafana.externalUrl.replace(/\/+$/, '')}/d/${DASHBOARD_UID}/heapwatch-memory`;
  return scoped ? `${base}?var-namespace={{ $labels.namespace }}&var-pod={{ $labels.pod }}` : base;
}

/** runbook_url and dashboard_url for one alert. */
export function alertLinks(c: ResolvedConfig, alert: AlertName, scoped = true) {
  return { runbook_url: runbookUrl(c, alert), dashboard_url: dashboardUrl(c, scoped) };
}
