/**
 * `npm run bench:lean`: what a watched pod costs in each mode, side by side in each round on
 * Node 24 (the shipped images' Node):
 *   per-pod memory   sidecar mode: the shipped sidecar's idle RSS (the default chart's stated
 *                    command on its ConfigMaps, reading a real agent) + the agent's added RSS;
 *                    lean mode: the lean agent's added RSS, its /metrics scraped every 15 s.
 *                    Both against the same app without the agent, started in the same round.
 *   CPU per request  the app with the lean agent (scraped every 15 s) vs the app without it,
 *                    loaded together at a fixed rate for one 15 s check interval.
 * The warm-up opens a new connection every 20 requests, as a service's clients do (see round()).
 * Targets: lean per-pod memory <= 6 MiB; lean CPU per request <= +2 % (medians of per-round
 * differences). BENCH_ROUNDS (default 9: with 5, a run's median moved by over 1 %), BENCH_RATE
 * and BENCH_WARMUP as in bench:agent. For finding what costs:
 *   BENCH_NO_METRICS=1     the lean app runs the agent without its /metrics server (not scraped)
 *   BENCH_PROBES=1         the kubelet's probes too, every LIVENESS_PROBE period: readiness opens a
 *                          TCP connection to every app's port; liveness GETs /livez on a new
 *                          connection of each lean app, and opens a TCP connection to the app's
 *                          port where no agent runs (src/app/heap-watched-app.ts)
 *   BENCH_NEW_CLIENTS=1    every LIVENESS_PROBE period, each loaded app also serves one request on a
 *                          new connection, as a service gets from new clients (so a probe's new
 *                          connection is not the only one the app sees)
 *   BENCH_COMPARE=<file>   a second lean app with that agent bundle beside the first, scraped and
 *                          loaded the same way: two agents compared in the same rounds
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { AGENT_ENV, LIVENESS_PROBE } from '../src/contract';
import { freePort } from '../test/support/free-port';
import { get, loadTogether, median, NODES, sleep, start, WARMUP } from './agent';
import { rssMiB, shippedCommand, startExporter } from './exporter';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const INTERVAL = 15;
const SCRAPE_SECONDS = 15;
const NO_METRICS = process.env.BENCH_NO_METRICS !== undefined;
const PROBES = process.env.BENCH_PROBES !== undefined;
const NEW_CLIENTS = process.env.BENCH_NEW_CLIENTS !== undefined;
const COMPARE = process.env.BENCH_COMPARE;
/** Warm-up requests per new connection. */
const NEW_CONNECTION_EVERY = 20;
const TARGETS = { leanMiB: 6, cpuAdded: 0.02 };

interface Round { sidecarMiB: number; agentAddedMiB: number; leanAddedMiB: number; cpuAdded: number; cpuBase: number; cpuLean: number; cpuCompareAdded: number }

/** A TCP probe: connect, then close. */
function tcpProbe(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.end());
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

async function startLean(bin: string, agentFile: string | undefined) {
  const [metricsPort, livenessPort] = [await freePort(), await freePort()];
  const env = { [AGENT_ENV.livenessPort]: String(livenessPort), ...(NO_METRICS ? {} : { [AGENT_ENV.metricsPort]: String(metricsPort) }) };
  return { ...await start(bin, env, INTERVAL, agentFile), metricsPort, livenessPort };
}

async function round(bin: string): Promise<Round> {
  const bare = await start(bin, null, INTERVAL);
  const withSidecar = await start(bin, {}, INTERVAL);
  const leans = [await startLean(bin, undefined)];
  if (COMPARE !== undefined) leans.push(await startLean(bin, COMPARE));
  const apps = [bare, withSidecar, ...leans];
  const sidecar = await startExporter(shippedCommand(withSidecar.dir), withSidecar.dir).catch(async (e: Error) => {
    await stopAll(apps.map((a) => a.child), apps);
    throw e;
  });
  const agents = apps.map(() => new http.Agent({ keepAlive: true, maxSockets: 4 }));
  const scrapers = leans.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const fresh = new http.Agent({ keepAlive: false });
  const scrape = async () => {
    if (NO_METRICS || process.env.BENCH_NO_SCRAPE) return;
    for (const [k, lean] of leans.entries()) {
      const text = await get(scrapers[k], lean.metricsPort, '/metrics');
      if (!text.includes('heapwatch_agent_up 1')) throw new Error(`lean /metrics without a fresh reading:\n${text}`);
    }
  };
  const loaded = [bare, ...leans];
  const probe = async () => {
    await Promise.all([
      ...(PROBES ? [...apps.map((a) => tcpProbe(a.port)), tcpProbe(bare.port), ...leans.map((l) => get(fresh, l.livenessPort, '/livez'))] : []),
      // /stats, which the bench app does not count as served, so the window's count stays exact.
      ...(NEW_CLIENTS ? loaded.map((a) => get(fresh, a.port, '/stats')) : []),
    ]);
  };
  // Prometheus's scrape every 15 s, and the kubelet's probes and new clients if asked, from the start.
  const timers = [setInterval(() => void scrape().catch((e) => console.error(e)), SCRAPE_SECONDS * 1000)];
  if (PROBES || NEW_CLIENTS) timers.push(setInterval(() => void probe().catch((e) => console.error(e)), LIVENESS_PROBE.periodSeconds * 1000));
  const loadedAgents = [agents[0], ...agents.slice(2)];
  try {
    // Scraped from the start, as Prometheus does, and warmed up with a new connection every
    // NEW_CONNECTION_EVERY requests, as a service gets from its clients. Without new connections
    // the bench app's HTTP code is specialized to its few keep-alive sockets, and the first other
    // socket (the scrape's, or just a new client of the app's own server) deoptimizes it
    // (--trace-deopt: "wrong map" in ReadableState, _storeHeader, writeOrBuffer...): measured
    // that way, the lean agent cost +4.9 % (5 rounds, 3.7..8.4 %) and +5.8 % (3 rounds).
    await sleep(200);
    await scrape();
    if (PROBES || NEW_CLIENTS) await probe();
    for (let i = 0; i < WARMUP; i++) await Promise.all(apps.map((a, k) => get(i % NEW_CONNECTION_EVERY === 0 ? fresh : agents[k], a.port, '/warm')));
    await sleep(1500); // idle: the first checks done, every process at rest
    await scrape();
    const sidecarMiB = rssMiB(sidecar.proc.pid!);
    const idle = await Promise.all(apps.map(async (a, k) => JSON.parse(await get(agents[k], a.port, '/stats')).rss / 2 ** 20));
    // Only the bare app and the lean ones are loaded, so the sidecar pod's processes do not share the cores with them.
    const [base, leanCpu, compareCpu] = await loadTogether(loaded, loadedAgents, SCRAPE_SECONDS);
    return {
      sidecarMiB, agentAddedMiB: idle[1] - idle[0], leanAddedMiB: idle[2] - idle[0],
      cpuAdded: leanCpu.cpuMicrosPerRequest / base.cpuMicrosPerRequest - 1, cpuBase: base.cpuMicrosPerRequest, cpuLean: leanCpu.cpuMicrosPerRequest,
      cpuCompareAdded: compareCpu === undefined ? NaN : compareCpu.cpuMicrosPerRequest / base.cpuMicrosPerRequest - 1,
    };
  } finally {
    for (const t of timers) clearInterval(t);
    for (const a of [...agents, ...scrapers, fresh]) a.destroy();
    await stopAll([sidecar.proc, ...apps.map((a) => a.child)], apps);
  }
}

async function stopAll(procs: ChildProcess[], apps: ReadonlyArray<{ dir: string }>): Promise<void> {
  for (const p of procs) {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
  }
  for (const a of apps) fs.rmSync(a.dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const node = NODES.find((n) => n.name === 'Node 24') ?? NODES[0];
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await round(node.bin));
  const m = (k: keyof Round) => median(rounds.map((x) => x[k]));
  const range = (k: keyof Round, scale = 1, digits = 1) => `${(Math.min(...rounds.map((x) => x[k])) * scale).toFixed(digits)}..${(Math.max(...rounds.map((x) => x[k])) * scale).toFixed(digits)}`;
  const perRound = (k: keyof Round) => rounds.map((x) => (x[k] * 100).toFixed(1)).join(' ');
  const sidecarPod = median(rounds.map((x) => x.sidecarMiB + x.agentAddedMiB));
  const knobs = [NO_METRICS ? 'no /metrics server' : '', PROBES ? `kubelet probes every ${LIVENESS_PROBE.periodSeconds} s` : '',
    NEW_CLIENTS ? `a new client connection to each loaded app every ${LIVENESS_PROBE.periodSeconds} s` : ''].filter((k) => k !== '').join(', ');
  console.log(`lean bench (${node.name}): ${ROUNDS} rounds, per-pod memory beside the same app without heapwatch; lean /metrics scraped every ${SCRAPE_SECONDS} s${knobs ? `; ${knobs}` : ''}`);
  console.log(`  sidecar mode per pod  ${sidecarPod.toFixed(1)} MiB  (sidecar idle RSS ${m('sidecarMiB').toFixed(1)} MiB [${range('sidecarMiB')}] + agent ${m('agentAddedMiB').toFixed(1)} MiB [${range('agentAddedMiB')}])`);
  console.log(`  lean mode per pod     ${m('leanAddedMiB').toFixed(1)} MiB [${range('leanAddedMiB')}]   target <= ${TARGETS.leanMiB} MiB ${m('leanAddedMiB') <= TARGETS.leanMiB ? 'met' : 'MISSED'}`);
  console.log(`  CPU per request       ${m('cpuBase').toFixed(1)} us without the agent, ${m('cpuLean').toFixed(1)} us with the lean agent: ${(m('cpuAdded') * 100).toFixed(1)} % [${range('cpuAdded', 100)} %]   target <= +${TARGETS.cpuAdded * 100} % ${m('cpuAdded') <= TARGETS.cpuAdded ? 'met' : 'MISSED'}`);
  console.log(`  CPU added per round   ${perRound('cpuAdded')} %`);
  if (COMPARE !== undefined) {
    console.log(`  compared agent        ${(m('cpuCompareAdded') * 100).toFixed(1)} % [${range('cpuCompareAdded', 100)} %] (${COMPARE}), per round ${perRound('cpuCompareAdded')} %`);
    console.log(`  shipped - compared    ${(median(rounds.map((x) => x.cpuAdded - x.cpuCompareAdded)) * 100).toFixed(1)} points (median of per-round differences)`);
  }
  console.log('  (medians of per-round figures; [min..max] over the rounds)');
  console.log(JSON.stringify({
    bench: 'lean', node: node.name, rounds: ROUNDS, probes: PROBES, newClients: NEW_CLIENTS, noMetrics: NO_METRICS,
    sidecarModePerPodMiB: +sidecarPod.toFixed(2), sidecarIdleRssMiB: +m('sidecarMiB').toFixed(2), agentAddedRssMiB: +m('agentAddedMiB').toFixed(2),
    leanPerPodMiB: +m('leanAddedMiB').toFixed(2), leanCpuAddedPercent: +(m('cpuAdded') * 100).toFixed(2),
    leanCpuAddedPercentRounds: rounds.map((x) => +(x.cpuAdded * 100).toFixed(2)),
    ...(COMPARE === undefined ? {} : { compared: COMPARE, comparedCpuAddedPercentRounds: rounds.map((x) => +(x.cpuCompareAdded * 100).toFixed(2)) }),
    leanTargetMet: m('leanAddedMiB') <= TARGETS.leanMiB, cpuTargetMet: m('cpuAdded') <= TARGETS.cpuAdded,
  }));
}

main().catch((e: Error) => {
  console.error(`lean bench failed: ${e.stack ?? e.message}`);
  process.exit(1);
});
