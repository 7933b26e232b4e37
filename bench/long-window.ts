/**
 * `npm run bench:long-window`: what the 30-day records cost in the real Prometheus (Debian's), with
 * 30 days of rollups behind them, before and after the hourly level, side by side in one Prometheus:
 *   - 30 days and an hour of the rollups (every rollup interval) and of the hourly rollups (every
 *     hour) for BENCH_LONG_WINDOW_APPS apps (500: ~13 M rollup samples), backfilled with
 *     `promtool tsdb create-blocks-from openmetrics`, one input file per 2 h block (Debian's promtool
 *     reads its whole input once per 2 h block, so one file of 30 days would be read 360 times);
 *   - Prometheus compacts those blocks as it would have over the month, then evaluates two copies
 *     of the long-window records: "one level" (the 1-day and 30-day records over the rollups, as
 *     before the hourly level) and "hourly" (the rendered rules: 30 days over the hourly rollups),
 *     plus the hourly rollups themselves; records renamed per copy so neither writes what the other
 *     reads, groups every BENCH_LONG_WINDOW_INTERVAL so a few minutes hold many evaluations.
 * It reports each rule's evaluationTime (/api/v1/rules) over BENCH_LONG_WINDOW_SECONDS and the
 * samples each reads (stats=all). Loopback only; every wait is bounded; it ends with one JSON line.
 */
import { spawnSync, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { resolveConfig } from '../src/config';
import { RECORDS } from '../src/contract';
import { rollupTiming } from '../src/rules/long-window';
import { freePort } from '../test/support/free-port';
import { REPO_ROOT } from '../test/support/repo-root';
import { prometheusApi as api, startPrometheus, stopPrometheus } from './bench-prometheus';

const APPS = Number(process.env.BENCH_LONG_WINDOW_APPS ?? 500);
const MEASURE_S = Number(process.env.BENCH_LONG_WINDOW_SECONDS ?? 150);
const INTERVAL = process.env.BENCH_LONG_WINDOW_INTERVAL ?? '15s';
const RULES_FILE = path.join(REPO_ROOT, 'alerts/heapwatch-rules.yaml');
const config = resolveConfig({});
const { rollupSeconds, hourlySeconds } = rollupTiming(config);
const BLOCK_S = 2 * 3600;
const DAY = 86_400;

interface Rule { record: string; expr: string }
interface Group { name: string; interval?: string; rules: Rule[] }

/** The two copies of the long-window records, and the hourly rollups, from the rendered rule file. */
function benchGroups(): Group[] {
  const groups: Group[] = YAML.parse(fs.readFileSync(RULES_FILE, 'utf8')).groups;
  const byName = (n: string) => groups.find((g) => g.name === n) ?? assert(`no group ${n} in ${RULES_FILE}`);
  const reads = [RECORDS.underTargetRatio1d, RECORDS.underTargetRatio30d, RECORDS.memoryRestarts30d];
  const longWindow = byName('heapwatch.records.long-window').rules.filter((r) => reads.includes(r.record as never));
  // Before the hourly level, the 30-day records summed the rollups over the same range, with no offset.
  const oneLevel = longWindow.map((r) => {
    const expr = r.expr.replace(/_rollup_1h(\[[^\]]+\]) offset \w+/g, '_rollup$1');
    if (r.record !== RECORDS.underTargetRatio1d && expr === r.expr) assert(`${r.record} does not read hourly rollups: ${r.expr}`);
    return { record: `${r.record}_one_level`, expr };
  });
  const hourly = byName('heapwatch.records.long-window.hourly').rules.map((r) => ({ record: `${r.record}_bench`, expr: r.expr }));
  return [
    { name: 'one-level', interval: INTERVAL, rules: oneLevel },
    { name: 'hourly', interval: INTERVAL, rules: longWindow.map((r) => ({ record: `${r.record}_hourly`, expr: r.expr })) },
    { name: 'hourly-rollups', interval: INTERVAL, rules: hourly },
  ];
}

function assert(message: string): never {
  throw new Error(`bench:long-window: ${message}`);
}

/** One OpenMetrics file per 2 h block: every app's rollups and hourly rollups in [from, from + 2 h). */
function backfill(dir: string, data: string, end: number): number {
  const start = end - 30 * DAY - hourlySeconds;
  const series = [
    [RECORDS.underTargetSumRollup, rollupSeconds, 17], [RECORDS.underTargetCountRollup, rollupSeconds, 20], [RECORDS.memoryRestartsRollup, rollupSeconds, 0],
    [RECORDS.underTargetSumRollup1h, hourlySeconds, 12 * 17], [RECORDS.underTargetCountRollup1h, hourlySeconds, 12 * 20], [RECORDS.memoryRestartsRollup1h, hourlySeconds, 0],
  ] as const;
  let samples = 0;
  for (let from = Math.floor(start / BLOCK_S) * BLOCK_S; from < end; from += BLOCK_S) {
    const lines: string[] = [];
    for (const [name, every, value] of series) {
      lines.push(`# TYPE ${name.replace(/:/g, '_')} gauge`);
      for (let a = 0; a < APPS; a++) {
        const labels = `{namespace="bench",app="app-${a}"}`;
        for (let t = Math.ceil(Math.max(from, start) / every) * every; t < Math.min(from + BLOCK_S, end); t += every) {
          lines.push(`${name}${labels} ${value} ${t}`);
          samples++;
        }
      }
    }
    // OpenMetrics names a family by its metric name; the recording rules' colons are allowed in names, not in # TYPE.
    const file = path.join(dir, 'block.om');
    fs.writeFileSync(file, lines.filter((l) => !l.startsWith('#')).join('\n') + '\n# EOF\n');
    const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, data], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) assert(`promtool backfill failed: ${r.error ?? ''}${r.stderr}`);
  }
  return samples;
}

async function selfMetric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

interface RuleFigures { group: string; rule: string; rounds: number; medianMs: number; minMs: number; maxMs: number; samples: number | null }

async function main(): Promise<void> {
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-bench-long-window-'));
  let prom: ChildProcess | undefined;
  try {
    const data = path.join(work, 'data');
    const end = Math.floor(Date.now() / 1000 / rollupSeconds) * rollupSeconds;
    const samples = backfill(work, data, end);
    const backfillSeconds = round((Date.now() - started) / 1000);
    console.log(`backfilled ${samples} samples (${APPS} apps, 30 days and an hour of rollups and hourly rollups) in ${backfillSeconds} s`);
    fs.writeFileSync(path.join(work, 'rules.yaml'), YAML.stringify({ groups: benchGroups() }, { lineWidth: 0 }));
    fs.writeFileSync(path.join(work, 'prometheus.yml'), YAML.stringify({ global: { evaluation_interval: INTERVAL }, rule_files: [path.join(work, 'rules.yaml')] }));
    const port = await freePort();
    const running = startPrometheus({ work, configFile: path.join(work, 'prometheus.yml'), dataDir: data, retention: config.prometheus.retention, port });
    prom = running.process;
    const { base, logFile } = running;
    // Compaction merges the 2 h blocks as a month of running would have; wait until it has settled.
    const compactFrom = Date.now();
    let last = { compactions: -1, since: Date.now() };
    while (Date.now() - compactFrom < 300_000) {
      if (prom.exitCode !== null) assert(`prometheus exited ${prom.exitCode}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
      const c = await selfMetric(base, 'prometheus_tsdb_compactions_total').catch(() => NaN);
      if (!Number.isNaN(c) && c !== last.compactions) last = { compactions: c, since: Date.now() };
      if (!Number.isNaN(c) && Date.now() - last.since > 75_000) break; // the compactor looks every minute
      await delay(2000);
    }
    const blocks = await selfMetric(base, 'prometheus_tsdb_blocks_loaded');
    console.log(`compacted into ${blocks} blocks (${last.compactions} compactions) in ${round((Date.now() - compactFrom) / 1000)} s; measuring ${MEASURE_S} s`);

    const evals = new Map<string, { group: string; rule: string; ms: Map<string, number> }>();
    const from = Date.now();
    const load = os.loadavg()[0];
    while (Date.now() - from < MEASURE_S * 1000) {
      for (const g of (await api(base, '/api/v1/rules')).groups) {
        for (const r of g.rules) {
          if (r.health === 'err') assert(`rule ${r.name}: ${r.lastError}`);
          if (!r.lastEvaluation || Date.parse(r.lastEvaluation) < from) continue;
          const key = `${g.name}/${r.name}`;
          const e = evals.get(key) ?? { group: g.name, rule: r.name, ms: new Map() };
          e.ms.set(r.lastEvaluation, r.evaluationTime * 1000);
          evals.set(key, e);
        }
      }
      await delay(3000);
    }
    const figures: RuleFigures[] = [];
    for (const g of benchGroups()) {
      for (const r of g.rules) {
        const e = evals.get(`${g.name}/${r.record}`);
        const ms = e ? [...e.ms.values()] : [];
        const stats = await api(base, `/api/v1/query?stats=all&query=${encodeURIComponent(r.expr)}`, 120_000);
        figures.push({
          group: g.name, rule: r.record, rounds: ms.length, samples: stats.stats.samples.totalQueryableSamples,
          medianMs: ms.length ? round(median(ms)) : NaN, minMs: ms.length ? round(Math.min(...ms)) : NaN, maxMs: ms.length ? round(Math.max(...ms)) : NaN,
        });
      }
    }
    console.log(`\nevaluationTime per rule over ${MEASURE_S} s, groups every ${INTERVAL} (load average ${round(load)} to ${round(os.loadavg()[0])}):`);
    for (const f of figures) {
      console.log(`  ${f.group.padEnd(15)} ${f.rule.padEnd(52)} ${String(f.medianMs).padStart(8)} ms median (${f.minMs}-${f.maxMs}, ${f.rounds} rounds) ${String(f.samples).padStart(10)} samples`);
    }
    const pick = (group: string, record: string) => figures.find((f) => f.group === group && f.rule.startsWith(`${record}_`))!;
    const compare = [RECORDS.underTargetRatio30d, RECORDS.memoryRestarts30d].map((record) => {
      const before = pick('one-level', record);
      const after = pick('hourly', record);
      return { record, beforeMs: before.medianMs, afterMs: after.medianMs, speedup: round(before.medianMs / after.medianMs), beforeSamples: before.samples, afterSamples: after.samples };
    });
    for (const c of compare) console.log(`${c.record}: ${c.beforeMs} ms over the rollups -> ${c.afterMs} ms over the hourly rollups (${c.speedup}x), ${c.beforeSamples} -> ${c.afterSamples} samples`);
    const runSeconds = round((Date.now() - started) / 1000);
    console.log(`whole bench: ${runSeconds} s`);
    console.log(JSON.stringify({ bench: 'long-window', apps: APPS, backfillSamples: samples, backfillSeconds, blocks, interval: INTERVAL, measureSeconds: MEASURE_S, rules: figures, compare, runSeconds }));
  } finally {
    await stopPrometheus(prom);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
