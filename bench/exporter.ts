/**
 * Exporter sidecar resource bench (`npm run bench:exporter`). Runs side by side, on the same
 * Node 24, over several rounds, and prints medians beside their targets, then ONE JSON line:
 *   - idle RSS of the shipped sidecar (the default chart's stated command on its ConfigMaps)
 *     vs a bare node:http server (target <= 1.5x), beside the same bundle run as a file (image
 *     delivery), without EXPORTER_NODE_FLAGS, and with @opentelemetry/sdk-node instead of
 *     sdk-metrics (the design's expected entry point), and with host metrics (network group
 *     included) collected on every scrape instead of on a timer;
 *   - /metrics latency p99 (target <= 5 ms) and CPU per scrape, the process and its children
 *     read from /proc (target <= 2 ms);
 *   - series per watched pod (samples in one /metrics, target <= 150).
 * Each sidecar reads a REAL agent in a real app process, so /metrics carries real data.
 *
 *   ROUNDS (default 5), SCRAPES per round (default 200), IDLE_SECONDS before RSS (default 6)
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultManifests } from '../charts/default-app';
import { AGENT_BUNDLE, bundleExporter } from '../scripts/bundle';
import { CODE_DIR, CONTAINERS, EXPORTER_NODE_FLAGS } from '../src/contract';
import { freePort } from '../test/support/free-port';
import { REPO_ROOT } from '../test/support/repo-root';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SCRAPES = Number(process.env.SCRAPES ?? 200);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 6);
const TARGETS = { rssRatio: 1.5, p99Ms: 5, cpuMsPerScrape: 2, seriesPerPod: 150 };
const NODE = process.execPath;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const PAGE = 4096;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export function rssMiB(pid: number): number {
  const statm = fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
  return (Number(statm[1]) * PAGE) / 2 ** 20;
}

/** CPU seconds of a process and all its descendants (live ones from /proc, reaped ones from cutime/cstime). */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    } catch {
      return;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
    for (const task of fs.readdirSync(`/proc/${p}/task`)) {
      let children = '';
      try {
        children = fs.readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
      } catch {
        continue;
      }
      for (const c of children.split(' ').filter(Boolean)) visit(Number(c));
    }
  };
  visit(pid);
  return ticks / CLK_TCK;
}

async function waitLine(proc: ChildProcess, test: (l: string) => boolean, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const l of buf.split('\n')) if (test(l)) {
        clearTimeout(timer);
        resolve(l);
      }
    });
    proc.on('exit', (code) => reject(new Error(`${what} exited ${code}`)));
  });
}

interface Proc {
  readonly proc: ChildProcess;
  readonly port: number;
}

async function startBare(): Promise<Proc> {
  const proc = spawn(NODE, ['-e', "const s=require('http').createServer((q,r)=>r.end('ok')).listen(0,()=>console.log(JSON.stringify({port:s.address().port})))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await waitLine(proc, (l) => l.startsWith('{"port"'), 'the bare server');
  return { proc, port: (JSON.parse(line) as { port: number }).port };
}

async function startAppWithAgent(dir: string): Promise<ChildProcess> {
  const proc = spawn(NODE, [path.join(REPO_ROOT, 'test/fixtures/exporter-app.js')], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: {
      PATH: process.env.PATH, NODE_OPTIONS: `--require ${AGENT_BUNDLE}`, HEAPWATCH_DIR: dir,
      HEAPWATCH_CHECK_INTERVAL_SECONDS: '1', HEAPWATCH_LIVENESS_PORT: String(await freePort()),
    },
  });
  await waitLine(proc, (l) => l.startsWith('{"pid"'), 'the app');
  return proc;
}

/**
 * The sidecar as configmap delivery runs it: the default chart's stated command (node's
 * arguments), on the parts of its ConfigMaps written into `dir` in place of the pod's mount.
 */
export function shippedCommand(dir: string): string[] {
  const manifests = defaultManifests();
  for (const m of manifests.filter((o) => o.kind === 'ConfigMap')) {
    for (const [key, b64] of Object.entries<string>(m.binaryData ?? {})) fs.writeFileSync(path.join(dir, key), Buffer.from(b64, 'base64'));
  }
  const pod = manifests.find((o) => o.kind === 'Deployment' && o.spec.template.spec.containers.some((c: any) => c.name === CONTAINERS.exporter));
  const command: string[] = pod.spec.template.spec.containers.find((c: any) => c.name === CONTAINERS.exporter).command;
  return command.slice(1).map((a) => (a.startsWith(`${CODE_DIR}/`) ? path.join(dir, a.slice(CODE_DIR.length + 1)) : a));
}

export async function startExporter(args: readonly string[], dir: string): Promise<Proc> {
  const proc = spawn(NODE, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH, HEAPWATCH_DIR: dir, HEAPWATCH_PORT: '0', HEAPWATCH_CHECK_INTERVAL_SECONDS: '1', HEAPWATCH_TOKEN_FILE: path.join(dir, 'no-token') },
  });
  const line = await waitLine(proc, (l) => l.includes('"event":"listening"'), 'the exporter');
  return { proc, port: (JSON.parse(line) as { port: number }).port };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(port: number, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function scrapeFigures(e: Proc): Promise<{ p99Ms: number; cpuMsPerScrape: number; series: number }> {
  for (let i = 0; i < 20; i++) await get(e.port, '/metrics'); // warm up
  const pid = e.proc.pid!;
  const cpu0 = cpuSeconds(pid);
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < SCRAPES; i++) {
    const t = process.hrtime.bigint();
    body = await get(e.port, '/metrics');
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const cpu = cpuSeconds(pid) - cpu0;
  const series = body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  if (!body.includes('heapwatch_agent_up 1')) throw new Error('the agent was not up during the bench');
  return { p99Ms: percentile(times, 99), cpuMsPerScrape: (cpu * 1000) / SCRAPES, series };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-bench-exporter-'));
  const code = fs.mkdtempSync(path.join(work, 'code-'));
  const shipped = await bundleExporter({ outfile: path.join(work, 'shipped.js') });
  const sdkNode = await bundleExporter({ outfile: path.join(work, 'sdk-node.js'), entry: path.join(REPO_ROOT, 'bench/exporter-otel-sdk-node.ts') });
  const perScrape = await bundleExporter({ outfile: path.join(work, 'per-scrape.js'), entry: path.join(REPO_ROOT, 'bench/exporter-host-metrics-per-scrape.ts') });
  const variants: Record<string, { args: readonly string[]; flags: string }> = {
    shipped: { args: shippedCommand(code), flags: `${EXPORTER_NODE_FLAGS.join(' ')} -e <EXPORTER_LOADER>` },
    image: { args: [...EXPORTER_NODE_FLAGS, shipped], flags: EXPORTER_NODE_FLAGS.join(' ') },
    noFlags: { args: [shipped], flags: '' },
    sdkNode: { args: [...EXPORTER_NODE_FLAGS, sdkNode], flags: EXPORTER_NODE_FLAGS.join(' ') },
    perScrape: { args: [...EXPORTER_NODE_FLAGS, perScrape], flags: EXPORTER_NODE_FLAGS.join(' ') },
  };
  const r: Record<string, number[]> = {};
  const add = (k: string, v: number) => (r[k] ??= []).push(v);
  const procs: ChildProcess[] = [];

  try {
    for (let round = 0; round < ROUNDS; round++) {
      const bare = await startBare();
      procs.push(bare.proc);
      const running: Record<string, Proc> = {};
      for (const [name, v] of Object.entries(variants)) {
        const dir = fs.mkdtempSync(path.join(work, `${name}-`));
        procs.push(await startAppWithAgent(dir));
        running[name] = await startExporter(v.args, dir);
        procs.push(running[name].proc);
      }
      await sleep(IDLE_SECONDS * 1000); // idle: no scrapes, the agents push readings
      const bareRss = rssMiB(bare.proc.pid!);
      add('bareRssMiB', bareRss);
      for (const [name, e] of Object.entries(running)) {
        add(`${name}.rssMiB`, rssMiB(e.proc.pid!));
        add(`${name}.rssRatio`, rssMiB(e.proc.pid!) / bareRss);
      }
      for (const [name, e] of Object.entries(running)) {
        const f = await scrapeFigures(e);
        add(`${name}.p99Ms`, f.p99Ms);
        add(`${name}.cpuMsPerScrape`, f.cpuMsPerScrape);
        add(`${name}.series`, f.series);
      }
      for (const p of procs.splice(0)) p.kill('SIGTERM');
      await sleep(300);
      process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
    }
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    agent.destroy();
  }

  const m = (k: string) => median(r[k]);
  const names = Object.keys(variants);
  const rows: [string, string, number | string, string][] = [
    ['idle RSS, MiB', 'rssMiB', m('bareRssMiB'), '-'],
    ['idle RSS / bare node:http', 'rssRatio', 1, `<= ${TARGETS.rssRatio}`],
    ['/metrics p99, ms', 'p99Ms', '-', `<= ${TARGETS.p99Ms}`],
    ['CPU per scrape, ms', 'cpuMsPerScrape', '-', `<= ${TARGETS.cpuMsPerScrape}`],
    ['series per pod', 'series', '-', `<= ${TARGETS.seriesPerPod}`],
  ];
  const fmt = (v: number | string) => (typeof v === 'number' ? v.toFixed(v >= 100 ? 0 : 2) : v).toString().padStart(12);
  console.log(`exporter bench: Node ${process.version}, ${ROUNDS} rounds, ${SCRAPES} scrapes per round, medians`);
  console.log(`shipped = the default chart's sidecar command (${EXPORTER_NODE_FLAGS.join(' ')}, its ConfigMaps' gzip parts unpacked in memory);`);
  console.log('image = the sdk-metrics bundle as a file, same flags (image delivery); noFlags = that file, plain node;');
  console.log('sdkNode = sdk-node bundle, same flags; perScrape = image, but host metrics (with system.network) collected per scrape');
  console.log(`${'figure'.padEnd(28)}${names.map((n) => n.padStart(12)).join('')}${'bare'.padStart(12)}${'target'.padStart(12)}`);
  for (const [label, key, bare, target] of rows) {
    console.log(`${label.padEnd(28)}${names.map((n) => fmt(m(`${n}.${key}`))).join('')}${fmt(bare)}${target.padStart(12)}`);
  }
  const pass = {
    rssRatio: m('shipped.rssRatio') <= TARGETS.rssRatio,
    p99Ms: m('shipped.p99Ms') <= TARGETS.p99Ms,
    cpuMsPerScrape: m('shipped.cpuMsPerScrape') <= TARGETS.cpuMsPerScrape,
    seriesPerPod: m('shipped.series') <= TARGETS.seriesPerPod,
  };
  fs.rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify({
    bench: 'exporter', node: process.version, rounds: ROUNDS, scrapes: SCRAPES, targets: TARGETS, pass,
    ...Object.fromEntries(names.map((n) => [n, {
      otel: n === 'sdkNode' ? '@opentelemetry/sdk-node' : '@opentelemetry/sdk-metrics',
      hostMetrics: n === 'perScrape' ? 'all groups, per scrape' : 'no system.network, on a timer',
      flags: variants[n].flags,
      rssMiB: m(`${n}.rssMiB`), rssRatio: m(`${n}.rssRatio`), p99Ms: m(`${n}.p99Ms`), cpuMsPerScrape: m(`${n}.cpuMsPerScrape`), series: m(`${n}.series`),
    }])),
    bareRssMiB: m('bareRssMiB'),
  }));
}

// bench/lean.ts imports this file's helpers: run only as `npm run bench:exporter`.
if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`exporter bench failed: ${e.message}`);
    process.exit(1);
  });
}
