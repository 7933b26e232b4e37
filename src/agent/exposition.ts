/**
 * Lean mode's /metrics text (exporter.sidecar false): the Prometheus text format written by
 * hand from the latest reading, only when scraped. The families are src/metric-families.ts,
 * the sidecar's own list, so names, types, HELP and labels are the sidecar's for the same
 * reading. What lean mode gives up is in the README ("Lean mode").
 */
import { AgentReading, METRICS } from '../contract';
import { isFresh } from '../exporter/freshness';
import { FamilyType, HELP, READING_FAMILIES, restartSamples, Sample } from '../metric-families';

/** What the text is made of at scrape time. */
export interface ExpositionSources {
  /** The latest check's reading, or null before the first one. */
  readonly reading: AgentReading | null;
  /** Restart counts by reason, kept in the shared volume across container restarts. */
  readonly restarts: Readonly<Record<string, number>>;
  readonly checkIntervalSeconds: number;
  /** The agent was disabled after a fault: its reading no longer describes the app. */
  readonly disabled: boolean;
  readonly nowMs: number;
}

/** The text format's content type (version 0.0.4), as prom-client serves it. */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The whole /metrics body. Like the sidecar, a reading older than 2.5 check intervals (or a
 * disabled agent's) exports no app family and heapwatch_agent_up 0, never a stale value.
 */
export function buildExposition(src: ExpositionSources): string {
  const r = src.reading;
  const fresh = r !== null && !src.disabled && isFresh(r.ts, src.nowMs, src.checkIntervalSeconds) ? r : null;
  const out: string[] = [];
  family(out, METRICS.agentUp, HELP.agentUp, 'gauge', [{ value: fresh ? 1 : 0 }]);
  family(out, METRICS.appRestarts, HELP.appRestarts, 'counter', restartSamples(src.restarts));
  const limit = r?.containerMemoryLimit;
  family(out, METRICS.containerMemoryLimit, HELP.containerMemoryLimit, 'gauge', limit === null || limit === undefined ? [] : [{ value: limit }]);
  for (const f of READING_FAMILIES) family(out, f.name, f.help, f.type, fresh ? f.samples(fresh) : []);
  return out.join('');
}

function family(out: string[], name: string, help: string, type: FamilyType, samples: readonly Sample[]): void {
  out.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`);
  for (const s of samples) out.push(`${s.metricName ?? name}${labelText(s.labels)} ${formatValue(s.value)}\n`);
}

function labelText(labels: Sample['labels']): string {
  if (labels === undefined) return '';
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${formatLabel(v)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function formatLabel(v: string | number): string {
  return String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
