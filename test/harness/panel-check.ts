/**
 * Evaluates every Grafana panel and annotation query of the memory dashboard on a running
 * Prometheus, with the dashboard's variables set to the watched pod, as Grafana would send
 * them. Grafana itself cannot run here; this is the part of its job that touches our data.
 */
import { ResolvedConfig } from '../../src/config';
import { RECORDS } from '../../src/contract';
import { buildMemoryDashboard, panelQueries } from '../../src/dashboard';
import { rollupTiming } from '../../src/rules/long-window';
import { LocalPrometheus } from './prometheus-local';

export interface PanelResult {
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  /** "data" (at least one series), "no-data" or "error". */
  readonly outcome: 'data' | 'no-data' | 'error';
  readonly series: number;
  readonly error?: string;
  /** No data is expected here: every series the query reads comes from kube-state-metrics or cAdvisor. */
  readonly needsCluster: boolean;
  /** No data is expected yet: a subquery step (e.g. [30d:5m]) is longer than the run so far. */
  readonly coarserThanRun: boolean;
  /** No data is expected yet: it reads the 30-day records, and the run is shorter than their first value can take. */
  readonly laterThanRun: boolean;
}

/** The records read from hourly rollups (src/rules/long-window.ts). */
const FROM_HOURLY_ROLLUPS: readonly string[] = [RECORDS.underTargetRatio30d, RECORDS.memoryRestarts30d];

/**
 * Seconds after Prometheus starts by which the 30-day records have a value, at the latest: the
 * first rollup with data within a rollup interval and its settle time (its group's first
 * evaluation, a settle behind the records); the first hourly evaluation whose window (ending a
 * rollup interval back) holds it within another rollup interval and an hour (Prometheus staggers
 * the hourly group anywhere in its interval); the 30-day records read it a rollup interval back,
 * at their next evaluation, within two more rollup intervals.
 */
export function firstThirtyDaySeconds(c: ResolvedConfig): number {
  const { rollupSeconds, settleSeconds, hourlySeconds } = rollupTiming(c);
  return hourlySeconds + 4 * rollupSeconds + settleSeconds;
}

/** Series that only kube-state-metrics or the kubelet's cAdvisor produce (neither runs on one machine). */
const CLUSTER_ONLY = /^(kube_|container_)/;
const PROMQL_WORDS = new Set(['sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/** Metric names a PromQL expression reads (identifiers not followed by "(" and outside label matchers and strings). */
export function metricNames(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  const names = new Set<string>();
  const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(bare)) !== null) {
    if (m[2] || PROMQL_WORDS.has(m[1].toLowerCase())) continue;
    const before = bare.slice(0, m.index);
    if (/(by|without|on|ignoring|group_left|group_right)\s*\([^)]*$/.test(before)) continue; // a label list
    names.add(m[1]);
  }
  return [...names];
}

/** The longest subquery step in seconds ([range:step]), 0 when there is none. */
export function longestSubqueryStep(expr: string): number {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let longest = 0;
  for (const m of expr.matchAll(/\[[^\]:]+:([0-9]+)(ms|s|m|h|d|w|y)\]/g)) longest = Math.max(longest, Number(m[1]) * unit[m[2]]);
  return longest;
}

export async function checkPanels(
  prometheus: LocalPrometheus,
  config: ResolvedConfig,
  vars: { namespace: string; app: string; pod: string },
  /** Evaluate over this range (ending now), like a dashboard's time picker. */
  rangeSeconds: number,
): Promise<PanelResult[]> {
  const queries = panelQueries(buildMemoryDashboard(config), { ...vars, range: `${Math.max(60, Math.ceil(rangeSeconds))}s` });
  const end = Date.now() / 1000;
  const out: PanelResult[] = [];
  for (const q of queries) {
    const names = metricNames(q.expr);
    const base = {
      panel: q.panelTitle,
      refId: q.refId,
      expr: q.expr,
      needsCluster: names.length > 0 && names.every((n) => CLUSTER_ONLY.test(n)),
      coarserThanRun: longestSubqueryStep(q.expr) > rangeSeconds,
      laterThanRun: names.some((n) => FROM_HOURLY_ROLLUPS.includes(n)) && rangeSeconds < firstThirtyDaySeconds(config),
    };
    try {
      const r = await prometheus.queryRange(q.expr, end - rangeSeconds, end, Math.max(1, Math.ceil(rangeSeconds / 200)));
      out.push({ ...base, outcome: r.length > 0 ? 'data' : 'no-data', series: r.length });
    } catch (e) {
      out.push({ ...base, outcome: 'error', series: 0, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
