/**
 * `npm run bench:snapshot`: the agent's heap snapshot cost model (src/agent/snapshot-model.ts)
 * beside what v8.writeHeapSnapshot really costs, on realistic heaps: an idle NestJS 11 app, the
 * same app leaking small records into a Map (a queue service that never drops what it polled), plain two-field
 * objects held by one array (alone, and beside the idle Nest app: data must not pass for its code
 * graph), and large strings; a bare process for the fixed part. Each run is
 * a fresh child process (bench/snapshot-model-shape.ts) on Node 20 and Node 24, rounds
 * interleaved, so the machine's noise hits every shape alike.
 *
 * Per shape and Node: heap used, the model's estimate, the measured peak RSS rise (VmHWM, see
 * the shape file), estimate / measured over every round (the bars: >= 1, never under; <= 2),
 * the pause and the file size, medians with the rounds' range.
 *
 *   BENCH_ROUNDS (3) rounds; BENCH_RECORD=<file> writes every round's sample and measurement
 *   as JSON (the unit test's fixture: test/fixtures/snapshot-model-samples.json).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { estimateSnapshot } from '../src/agent/snapshot-model';
import type { ShapeRun } from './snapshot-model-shape';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SHAPES: readonly { name: string; shape: string; count: number }[] = [
  { name: 'bare node', shape: 'bare', count: 0 },
  { name: 'NestJS 11 idle', shape: 'nest-idle', count: 0 },
  { name: 'NestJS + 50k records', shape: 'nest-leak', count: 50_000 },
  { name: 'NestJS + 150k records', shape: 'nest-leak', count: 150_000 },
  { name: '300k two-field objects', shape: 'objects', count: 300_000 },
  { name: '600k two-field objects', shape: 'objects', count: 600_000 },
  { name: 'NestJS + 300k two-field objects', shape: 'nest-objects', count: 300_000 },
  { name: '200 x 512 KiB strings', shape: 'strings', count: 200 },
];
const nodes = [
  { name: 'Node 20', bin: '/usr/bin/node' },
  { name: 'Node 24', bin: process.execPath },
].filter((n) => fs.existsSync(n.bin));

const shapeScript = path.join(__dirname, 'snapshot-model-shape.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-bench-snapshot-'));

function runShape(node: string, shape: string, count: number): ShapeRun {
  const r = spawnSync(node, ['--expose-gc', shapeScript, shape, String(count), dir], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${shape} ${count} on ${node} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ShapeRun;
}

const runs: (ShapeRun & { name: string })[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of SHAPES) {
      for (const n of nodes) {
        runs.push({ name: s.name, ...runShape(n.bin, s.shape, s.count) });
        process.stderr.write('.');
      }
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.stderr.write('\n');

const mib = (b: number) => b / 2 ** 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const span = (xs: number[], f: (x: number) => string) => `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;
const fmt1 = (x: number) => x.toFixed(1);

interface Row { shape: string; node: string; heapUsedMiB: number; estimateMiB: number; riseMiB: number[]; ratio: number[]; pauseMs: number[]; fileMiB: number[]; estPauseS: number; estFileMiB: number }
const rows: Row[] = [];
for (const s of SHAPES) {
  for (const n of nodes) {
    const mine = runs.filter((r) => r.name === s.name && r.node.startsWith(`v${n.name.slice(5)}.`));
    if (mine.length === 0) continue;
    const est = mine.map((r) => estimateSnapshot(r.sample));
    rows.push({
      shape: s.name,
      node: n.name,
      heapUsedMiB: mib(median(mine.map((r) => r.sample.heapUsed))),
      estimateMiB: mib(median(est.map((e) => e.rssRiseBytes))),
      riseMiB: mine.map((r) => mib(r.peakRiseBytes)),
      ratio: mine.map((r, i) => est[i].rssRiseBytes / r.peakRiseBytes),
      pauseMs: mine.map((r) => r.pauseMs),
      fileMiB: mine.map((r) => mib(r.fileBytes)),
      estPauseS: median(est.map((e) => e.seconds)),
      estFileMiB: mib(median(est.map((e) => e.fileBytes))),
    });
  }
}

const header = ['shape', 'node', 'heap used MiB', 'estimate MiB', 'peak RSS rise MiB', 'estimate / rise', 'pause ms (est. s)', 'file MiB (est.)'];
const lines = rows.map((r) => [
  r.shape, r.node, fmt1(r.heapUsedMiB), fmt1(r.estimateMiB), span(r.riseMiB, fmt1),
  `${Math.min(...r.ratio).toFixed(2)}-${Math.max(...r.ratio).toFixed(2)}`,
  `${span(r.pauseMs, (x) => x.toFixed(0))} (${r.estPauseS.toFixed(1)})`,
  `${span(r.fileMiB, fmt1)} (${fmt1(r.estFileMiB)})`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const show = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
process.stdout.write(`Heap snapshot cost, ${ROUNDS} rounds, ${os.cpus().length} cores shared (medians, rounds' range in brackets)\n`);
process.stdout.write([show(header), show(widths.map((w) => '-'.repeat(w))), ...lines.map(show)].join('\n') + '\n');
const outside = rows.filter((r) => Math.min(...r.ratio) < 1 || Math.max(...r.ratio) > 2);
process.stdout.write(outside.length === 0 ? 'Every estimate is within [1x, 2x] of every measured rise.\n'
  : `Outside [1x, 2x]: ${outside.map((r) => `${r.shape} on ${r.node} (${Math.min(...r.ratio).toFixed(2)}-${Math.max(...r.ratio).toFixed(2)})`).join('; ')}\n`);

if (process.env.BENCH_RECORD) {
  const recorded = runs.map(({ name, node, sample, rssBefore, peakRiseBytes, pauseMs, fileBytes }) => ({ name, node, sample, rssBefore, peakRiseBytes, pauseMs, fileBytes }));
  fs.writeFileSync(process.env.BENCH_RECORD, JSON.stringify(recorded, null, 1) + '\n');
  process.stdout.write(`Recorded ${recorded.length} runs in ${process.env.BENCH_RECORD}\n`);
}
process.stdout.write(JSON.stringify({ snapshotModel: rows.map((r) => ({ shape: r.shape, node: r.node, minRatio: Math.min(...r.ratio), maxRatio: Math.max(...r.ratio) })) }) + '\n');
process.exit(outside.some((r) => Math.min(...r.ratio) < 1) ? 1 : 0);
