/**
 * The sidecar's process: the only place that touches process-wide state (the environment,
 * the port, stdout, signals, exit). SIGTERM: stop accepting, let in-flight requests (a
 * snapshot download) finish, exit 0. main.ts calls it; the bench's variant entry does too.
 */
import * as http from 'node:http';
import { EnvError, readSettings } from './env';
import { createExporter, ExporterDeps } from './exporter';

/** Longest a graceful shutdown may take before the process exits anyway (the pod's grace is 30 s). */
const SHUTDOWN_TIMEOUT_MS = 20_000;

function logLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function serve(deps: Omit<ExporterDeps, 'log'> = {}): void {
  let settings;
  try {
    settings = readSettings(process.env);
  } catch (e) {
    if (e instanceof EnvError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const exporter = createExporter(settings, { ...deps, log: logLine });
  const server = http.createServer(exporter.app);
  server.headersTimeout = 10_000;
  server.requestTimeout = 300_000; // a large snapshot download may take minutes
  server.listen(settings.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : settings.port;
    logLine(JSON.stringify({ ts: new Date().toISOString(), event: 'listening', port, source: settings.source, dir: settings.dir }));
  });
  server.on('error', (e) => {
    process.stderr.write(`heapwatch exporter: cannot listen on port ${settings.port}: ${e.message}\n`);
    process.exit(1);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logLine(JSON.stringify({ ts: new Date().toISOString(), event: 'shutdown', signal }));
    const force = setTimeout(() => {
      process.stderr.write('heapwatch exporter: in-flight requests did not finish in time; exiting\n');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    server.close(() => {
      void exporter.stop().finally(() => {
        clearTimeout(force);
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

