/**
 * Evaluates every Grafana panel and annotation query of the memory dashboard on a running
 * Prometheus, with the dashboard's variables set to the watched pod, as Grafana would send
 * them. Grafana itself cannot run here; this is the part of its job that touches our data.
 */
import { HeapwatchConfig } from '../config';
import { buildMemoryDashboard, panelQueries } from '../dashboard';
import { LocalPrometheus } from './prometheus-local';

export interface PanelResult {
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  /** "data" (at least one series), "no-data" or "error". */
  readonly outcome: 'data' | 'no-data' | 'error';
  readonly series: number;
  readonly error?: string;
  /** Why no data is expected here: the query reads series only kube-state-metrics or cAdvisor provide. */
  readonly needsCluster: boolean;
}

/** Series that only kube-state-metrics or the kubelet's cAdvisor produce (neither runs on one machine). */
const CLUSTER_ONLY = /\bkube_[a-z_]+|\bcontainer_[a-z_]+/;

export async function checkPanels(
  prometheus: LocalPrometheus,
  config: HeapwatchConfig,
  vars: { namespace: string; app: string; pod: string },
  /** Evaluate over this range (ending now), like a dashboard's time picker. */
  rangeSeconds: number,
): Promise<PanelResult[]> {
  const queries = panelQueries(buildMemoryDashboard(config), { ...vars, range: `${Math.max(60, Math.ceil(rangeSeconds))}s` });
  const end = Date.now() / 1000;
  const out: PanelResult[] = [];
  for (const q of queries) {
    const base = { panel: q.panelTitle, refId: q.refId, expr: q.expr, needsCluster: CLUSTER_ONLY.test(q.expr) };
    try {
      const r = await prometheus.queryRange(q.expr, end - rangeSeconds, end, Math.max(1, Math.ceil(rangeSeconds / 200)));
      out.push({ ...base, outcome: r.length > 0 ? 'data' : 'no-data', series: r.length });
    } catch (e) {
      out.push({ ...base, outcome: 'error', series: 0, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
