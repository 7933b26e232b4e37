/**
 * `npm run bench`: every benchmark, each in its own child process (so one's memory and JIT
 * state never colours another's figures), one after the other. Each one's output is shown as
 * it runs; its last line must be one JSON object. Ends with one table of every figure and one
 * JSON line holding them all. Exits non-zero when a benchmark is missing, fails, or prints no
 * JSON line.
 *
 *   node build/bench/all.js [name ...]   (default: synth agent exporter lean report snapshot-model alert-latency fleet long-window)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The benchmarks, by file name in build/bench/ (bench/<name>.ts); names given as arguments run only those. */
const ALL = ['synth', 'agent', 'exporter', 'lean', 'report', 'snapshot-model', 'alert-latency', 'fleet', 'long-window'];
const BENCHES = process.argv.length > 2 ? process.argv.slice(2) : ALL;

interface Outcome {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly figures?: Record<string, unknown>;
  readonly error?: string;
}

function run(name: string): Promise<Outcome> {
  const file = path.join(__dirname, `${name}.js`);
  const started = Date.now();
  if (!fs.existsSync(file)) {
    return Promise.resolve({ name, ok: false, seconds: 0, error: `${path.relative(process.cwd(), file)} does not exist (is bench/${name}.ts written and built?)` });
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      process.stdout.write(chunk);
    });
    child.on('exit', (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      const last = out.trim().split('\n').pop() ?? '';
      let figures: Record<string, unknown> | undefined;
      try {
        const parsed = JSON.parse(last);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) figures = parsed;
      } catch {
        figures = undefined;
      }
      if (code !== 0) resolve({ name, ok: false, seconds, figures, error: `exited with ${code ?? signal}` });
      else if (!figures) resolve({ name, ok: false, seconds, error: `its last line is not a JSON object: ${JSON.stringify(last.slice(0, 120))}` });
      else resolve({ name, ok: true, seconds, figures });
    });
  });
}

/** Nested figures as dotted rows: { a: { b: 1 }, c: [{ d: 2 }] } -> a.b 1, c[0].d 2. */
function flatten(value: unknown, prefix = ''): [string, string][] {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return [[prefix, JSON.stringify(value)]];
    return value.flatMap((v, i) => flatten(v, `${prefix}[${i}]`));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, String(value)]];
}

async function main(): Promise<void> {
  const outcomes: Outcome[] = [];
  for (const name of BENCHES) {
    console.log(`\n=== bench ${name} ===`);
    outcomes.push(await run(name));
  }
  console.log('\n=== all benchmarks ===');
  console.log('bench'.padEnd(15) + 'figure'.padEnd(44) + 'value');
  for (const o of outcomes) {
    if (!o.ok) console.log(o.name.padEnd(15) + 'FAILED'.padEnd(44) + (o.error ?? ''));
    for (const [k, v] of flatten(o.figures ?? {})) {
      if (k === 'bench') continue;
      console.log(o.name.padEnd(15) + k.padEnd(44) + v);
    }
    console.log(o.name.padEnd(15) + '(wall time)'.padEnd(44) + `${o.seconds.toFixed(1)}s`);
  }
  const failed = outcomes.filter((o) => !o.ok);
  console.log(JSON.stringify({
    bench: 'all',
    node: process.version,
    ok: failed.length === 0,
    failed: failed.map((o) => ({ name: o.name, error: o.error })),
    results: Object.fromEntries(outcomes.map((o) => [o.name, o.figures ?? null])),
  }));
  process.exitCode = failed.length === 0 ? 0 : 1;
}

void main();
