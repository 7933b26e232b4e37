/**
 * Lean mode's /metrics server (exporter.sidecar false): a small HTTP server in the watched
 * process on the hw-metrics port, which Prometheus's pod discovery looks for
 * (src/agent/http-server.ts). The text is built from the latest reading only when scraped
 * (src/agent/exposition.ts): a few dozen lines, microseconds of the app's event loop, written
 * as a string like the app's own answers. It never keeps the process alive, never throws into
 * the app, and a port conflict is logged once while checks and /livez go on.
 */
import type * as http from 'node:http';
import type { AgentReading } from '../contract';
import { RestartTracker } from '../exporter/restarts';
import { buildExposition, CONTENT_TYPE } from './exposition';
import { startAgentServer } from './http-server';

export interface LeanMetricsOptions {
  readonly port: number;
  readonly dir: string;
  readonly checkIntervalSeconds: number;
  /** This process, as the readings name it. */
  readonly process: Pick<AgentReading, 'pid' | 'startTime'>;
  /** The latest check's reading (null before the first), and whether the agent was disabled. */
  readonly state: () => { readonly reading: AgentReading | null; readonly disabled: boolean };
}

/** The longest the metrics server keeps an idle scrape connection. */
const KEEP_ALIVE_MAX_MS = 10 * 60 * 1000;

/**
 * Counts this start as a restart (the sidecar's RestartTracker, with its state file and the
 * restart marker in the shared emptyDir, which outlives the container), then serves /metrics.
 */
export function serveLeanMetrics(o: LeanMetricsOptions): http.Server {
  const restarts = new RestartTracker({ dir: o.dir });
  restarts.observe(o.process);
  const server = startAgentServer({
    port: o.port, path: '/metrics',
    answer: () => ({
      status: 200, contentType: CONTENT_TYPE,
      body: buildExposition({ ...o.state(), restarts: restarts.counts(), checkIntervalSeconds: o.checkIntervalSeconds, nowMs: Date.now() }),
    }),
    listenError: { key: 'metrics', msg: `Not serving /metrics: port ${o.port} is not available; checks and /livez go on` },
  });
  // Prometheus scrapes every check interval (the config's scrape interval) and keeps its
  // connection; Node's default 5 s keep-alive would close it between scrapes, and each new
  // connection's socket deoptimizes the app's own HTTP code again (bench:lean, README).
  server.keepAliveTimeout = Math.min(KEEP_ALIVE_MAX_MS, 3 * o.checkIntervalSeconds * 1000);
  return server;
}
