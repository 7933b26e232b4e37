/**
 * Lean mode's /metrics server (exporter.sidecar false): a small HTTP server in the watched
 * process on the hw-metrics port, which Prometheus's pod discovery looks for. The text is
 * built from the latest reading only when scraped (src/agent/exposition.ts): a few dozen
 * lines, microseconds of the app's event loop. It never keeps the process alive, never
 * throws into the app, and a port conflict is logged once while checks and /livez go on.
 */
import * as http from 'node:http';
import type { AgentReading } from '../contract';
import { RestartTracker } from '../exporter/restarts';
import { buildExposition, CONTENT_TYPE } from './exposition';
import { errorCode, errorText, logOnce } from './log';

export interface LeanMetricsOptions {
  readonly port: number;
  readonly dir: string;
  readonly checkIntervalSeconds: number;
  /** This process, as the readings name it. */
  readonly process: Pick<AgentReading, 'pid' | 'startTime'>;
  /** The latest check's reading (null before the first), and whether the agent was disabled. */
  readonly state: () => { readonly reading: AgentReading | null; readonly disabled: boolean };
}

/**
 * Counts this start as a restart (the sidecar's RestartTracker, with its state file and the
 * restart marker in the shared emptyDir, which outlives the container), then serves /metrics.
 */
export function serveLeanMetrics(o: LeanMetricsOptions): http.Server {
  const restarts = new RestartTracker({ dir: o.dir });
  restarts.observe(o.process);
  const server = startMetricsServer(o.port, () => buildExposition({
    ...o.state(), restarts: restarts.counts(), checkIntervalSeconds: o.checkIntervalSeconds, nowMs: Date.now(),
  }));
  // Prometheus scrapes every check interval (the config's scrape interval) and keeps its
  // connection; Node's default 5 s keep-alive would close it between scrapes, and each new
  // connection's socket deoptimizes the app's own HTTP code again (bench:lean, README).
  server.keepAliveTimeout = Math.min(KEEP_ALIVE_MAX_MS, 3 * o.checkIntervalSeconds * 1000);
  return server;
}

/** The longest the metrics server keeps an idle scrape connection. */
const KEEP_ALIVE_MAX_MS = 10 * 60 * 1000;

export function startMetricsServer(port: number, text: () => string): http.Server {
  const server = http.createServer((req, res) => {
    try {
      const url = req.url === undefined ? '' : req.url.split('?')[0];
      if (url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
        return;
      }
      const body = text();
      // setHeader and end(body), the way most apps and frameworks answer: the app's HTTP code
      // then sees no call shape it has not seen already.
      res.setHeader('content-type', CONTENT_TYPE);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      logOnce('metrics:scrape', 'warn', 'A /metrics request failed; the app is not affected', { error: errorText(err) });
      try {
        res.destroy();
      } catch {
        // Nothing more to do.
      }
    }
  });
  server.on('error', (err) => {
    logOnce('metrics', 'warn', `Not serving /metrics: port ${port} is not available; checks and /livez go on`, { port, error: errorText(err), code: errorCode(err) });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  // Prometheus keeps its connection open between scrapes; that must not keep the app alive either.
  server.on('connection', (socket) => socket.unref());
  server.listen(port, '0.0.0.0');
  server.unref();
  return server;
}
