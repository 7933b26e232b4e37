/**
 * `npm run bench:synth`: how long a full synth takes, beside a bare `node -e 0` in the same
 * run. Three commands, interleaved round by round so machine noise hits all alike:
 *   node -e 0                      the floor: starting Node at all
 *   node build/charts/main.js      the chart program alone (construct + write YAML)
 *   cdk8s synth                    what users run: the CLI, charts/synth-app.js (recompiles only
 *                                  when a source is newer than the build), the chart
 * Targets on a 2-core machine: cdk8s synth <= 1.5 s median, the chart program <= 0.5 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/support/repo-root';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const node = process.execPath;

interface Case { name: string; argv: string[]; target?: number }
const outdir = mkdtempSync(join(tmpdir(), 'heapwatch-bench-synth-'));
const cases: Case[] = [
  { name: 'node -e 0', argv: [node, '-e', '0'] },
  { name: 'chart program (node build/charts/main.js)', argv: [node, 'build/charts/main.js'], target: 0.5 },
  { name: 'cdk8s synth (CLI + build check + chart)', argv: [node, 'node_modules/cdk8s-cli/bin/cdk8s', 'synth', '--output', outdir], target: 1.5 },
];

function timeOnce(c: Case): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(c.argv[0], c.argv.slice(1), {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', CDK8S_OUTDIR: outdir },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${c.name} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return seconds;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const samples = cases.map(() => [] as number[]);
for (const c of cases) timeOnce(c); // warm the file cache once, untimed
for (let round = 0; round < ROUNDS; round++) cases.forEach((c, i) => samples[i].push(timeOnce(c)));
rmSync(outdir, { recursive: true, force: true });

const results = cases.map((c, i) => ({ name: c.name, median: median(samples[i]), min: Math.min(...samples[i]), max: Math.max(...samples[i]), target: c.target }));
console.log(`synth benchmark, ${ROUNDS} rounds, Node ${process.version}`);
console.log('case'.padEnd(46) + 'median'.padStart(9) + 'min'.padStart(9) + 'max'.padStart(9) + '  target');
for (const r of results) {
  const verdict = r.target === undefined ? '' : `<= ${r.target}s ${r.median <= r.target ? 'met' : 'MISSED'}`;
  console.log(r.name.padEnd(46) + `${r.median.toFixed(3)}s`.padStart(9) + `${r.min.toFixed(3)}s`.padStart(9) + `${r.max.toFixed(3)}s`.padStart(9) + `  ${verdict}`);
}
const [bare, chart, cli] = results;
console.log(JSON.stringify({
  bench: 'synth',
  rounds: ROUNDS,
  node: process.version,
  nodeBareSeconds: +bare.median.toFixed(3),
  chartProgramSeconds: +chart.median.toFixed(3),
  cdk8sSynthSeconds: +cli.median.toFixed(3),
  chartProgramTargetMet: chart.median <= chart.target!,
  cdk8sSynthTargetMet: cli.median <= cli.target!,
}));
