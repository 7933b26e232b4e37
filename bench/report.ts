/**
 * `npm run bench:report`: what `heapwatch report` costs on snapshots of many small records, the
 * shape of a real leak (the CachedSession Map of test/fixtures/report-leaky-app.js): wall time and
 * peak RSS of the real bin for one snapshot of about 30 MiB and one of about 120 MiB, and the diff
 * of the ~120 MiB one against its ~60 MiB predecessor, each on Node 20 and Node 24, rounds
 * interleaved. Peak RSS and CPU time (user + system) are the bin's own getrusage figures, read by a
 * preloaded module at exit; CPU time moves less than wall time on a shared machine.
 * What it answers: how much memory to give the laptop or the Kubernetes Job (RSS / file size).
 *   BENCH_ROUNDS (3) rounds per case.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../test/support/repo-root';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const bin = path.join(REPO_ROOT, 'build', 'src', 'cli', 'heapwatch.js');
const leakyApp = path.join(REPO_ROOT, 'test', 'fixtures', 'report-leaky-app.js');
const nodes = [
  { name: 'Node 20', bin: '/usr/bin/node' },
  { name: 'Node 24', bin: process.execPath },
].filter((n) => fs.existsSync(n.bin));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-bench-report-'));
const rssFile = path.join(dir, 'maxrss');
const preload = path.join(dir, 'maxrss.js');
fs.writeFileSync(preload, `process.on('exit', () => { const u = process.resourceUsage(); require('fs').writeFileSync(${JSON.stringify(rssFile)}, JSON.stringify(u)); });\n`);

/** Writes before/after snapshots with `records` records leaked before each; returns their paths. */
function snapshots(name: string, records: number): { before: string; after: string } {
  const out = path.join(dir, name);
  const r = spawnSync(process.execPath, [leakyApp, 'snapshots', out, String(records)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`report-leaky-app.js failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const mib = (bytes: number) => bytes / 2 ** 20;
// ~210 bytes of snapshot per record; 63k + 63k records make ~30 MiB, 283k + 283k ~120 MiB.
const small = snapshots('small', 63_000);
const large = snapshots('large', 283_000);
const cases = [
  { name: 'report ~30 MiB snapshot', files: [small.after] },
  { name: 'report ~120 MiB snapshot', files: [large.after] },
  { name: 'report A B, ~60 -> ~120 MiB', files: [large.before, large.after] },
];

interface Sample { seconds: number; cpuSeconds: number; rssMiB: number }
function runOnce(node: string, files: string[]): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(node, ['--require', preload, bin, 'report', ...files], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`heapwatch report ${files.join(' ')} failed (${r.status}): ${r.stderr}`);
  const usage = JSON.parse(fs.readFileSync(rssFile, 'utf8')) as NodeJS.ResourceUsage;
  return { seconds, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, rssMiB: usage.maxRSS / 1024 };
}

const samples = new Map<string, Sample[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    for (const n of nodes) {
      const key = `${c.name}|${n.name}`;
      samples.set(key, [...(samples.get(key) ?? []), runOnce(n.bin, c.files)]);
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;

console.log(`heapwatch report benchmark, ${ROUNDS} rounds, ${os.cpus().length} cores`);
console.log(`files: ~30 MiB ${mib(fs.statSync(small.after).size).toFixed(1)} MiB; ~120 MiB ${mib(fs.statSync(large.after).size).toFixed(1)} MiB, its predecessor ${mib(fs.statSync(large.before).size).toFixed(1)} MiB`);
console.log('case'.padEnd(30) + 'node'.padEnd(9) + 'wall s (range)'.padStart(20) + 'CPU s (range)'.padStart(20) + 'peak RSS MiB (range)'.padStart(22) + 'RSS / file'.padStart(12));
const figures: Record<string, unknown>[] = [];
for (const c of cases) {
  const fileMiB = mib(Math.max(...c.files.map((f) => fs.statSync(f).size)));
  for (const n of nodes) {
    const s = samples.get(`${c.name}|${n.name}`)!;
    const seconds = median(s.map((x) => x.seconds));
    const cpuSeconds = median(s.map((x) => x.cpuSeconds));
    const rssMiB = median(s.map((x) => x.rssMiB));
    console.log(c.name.padEnd(30) + n.name.padEnd(9)
      + `${seconds.toFixed(2)} (${range(s.map((x) => x.seconds), 2)})`.padStart(20)
      + `${cpuSeconds.toFixed(2)} (${range(s.map((x) => x.cpuSeconds), 2)})`.padStart(20)
      + `${rssMiB.toFixed(0)} (${range(s.map((x) => x.rssMiB), 0)})`.padStart(22)
      + (rssMiB / fileMiB).toFixed(1).padStart(12));
    figures.push({ case: c.name, node: n.name, fileMiB: Number(fileMiB.toFixed(1)), seconds: Number(seconds.toFixed(2)), cpuSeconds: Number(cpuSeconds.toFixed(2)), rssMiB: Math.round(rssMiB), rssPerFile: Number((rssMiB / fileMiB).toFixed(1)) });
  }
}
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'report', rounds: ROUNDS, figures }));
