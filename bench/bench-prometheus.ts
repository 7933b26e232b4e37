/**
 * The real Prometheus that bench:fleet and bench:long-window measure: started on a data directory
 * of the bench's, asked over its HTTP API, stopped. A bench stopped by a signal skips its finally
 * blocks, and a Prometheus left behind holds gigabytes and a core, skewing every later run on the
 * machine: so a signal kills the running one and removes its work directory.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BenchPrometheus {
  readonly process: ChildProcess;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  readonly logFile: string;
}

/** The running Prometheus and the directory to remove with it, for the signal handlers. */
let running: { prom: ChildProcess; work: string } | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    if (running && running.prom.exitCode === null) running.prom.kill('SIGKILL');
    if (running) fs.rmSync(running.work, { recursive: true, force: true });
    console.error(`bench stopped by ${signal}: its Prometheus killed, its data removed`);
    process.exit(130);
  });
}

/** Debian's prometheus on `configFile` and `dataDir`, logging to <work>/prometheus.log; `work` is removed on a signal. */
export function startPrometheus(o: { work: string; configFile: string; dataDir: string; retention: string; port: number }): BenchPrometheus {
  const logFile = path.join(o.work, 'prometheus.log');
  const log = fs.openSync(logFile, 'a');
  const prom = spawn('prometheus', [
    `--config.file=${o.configFile}`, `--storage.tsdb.path=${o.dataDir}`,
    `--storage.tsdb.retention.time=${o.retention}`, `--web.listen-address=127.0.0.1:${o.port}`,
  ], { stdio: ['ignore', log, log] });
  running = { prom, work: o.work };
  return { process: prom, base: `http://127.0.0.1:${o.port}`, logFile };
}

/** SIGTERM, then SIGKILL after 20 s (a large head takes a while to close). */
export async function stopPrometheus(prom: ChildProcess | undefined): Promise<void> {
  if (running?.prom === prom) running = undefined;
  if (!prom || prom.exitCode !== null) return;
  prom.kill('SIGTERM');
  await Promise.race([once(prom, 'exit'), new Promise((r) => setTimeout(r, 20_000))]);
  if (prom.exitCode === null) prom.kill('SIGKILL');
}

/** One Prometheus API call's data; a query over 10,000 pods on 2 busy cores can take tens of seconds. */
export async function prometheusApi(base: string, p: string, timeoutMs = 60_000): Promise<any> {
  const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(timeoutMs) });
  const body: any = await res.json();
  if (body.status !== 'success') throw new Error(`Prometheus ${p}: ${body.error}`);
  return body.data;
}
