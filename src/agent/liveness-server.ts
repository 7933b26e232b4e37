/**
 * /livez for the kubelet's liveness probe, on its own small HTTP server in the app process
 * (a probe restarts only the container it is defined on, so it has to be the app's).
 */
import * as http from 'node:http';
import { errorCode, errorText, logOnce, round4 } from './log';

export interface LivenessState {
  /** The streak machine's decision. */
  readonly livenessFailing: boolean;
  /** The agent was disabled after a fault: a broken monitor must not get the app restarted. */
  readonly disabled: boolean;
  readonly streak: number;
  readonly checks: number;
  readonly ratio: number;
}

export interface LivezAnswer {
  readonly status: 200 | 503;
  readonly body: { readonly status: 'ok' | 'failing' | 'disabled'; readonly streak: number; readonly checks: number; readonly ratio: number };
}

/** /livez's answer for a state. Pure. */
export function livezAnswer(s: LivenessState): LivezAnswer {
  const failing = s.livenessFailing && !s.disabled;
  return {
    status: failing ? 503 : 200,
    body: { status: s.disabled ? 'disabled' : failing ? 'failing' : 'ok', streak: s.streak, checks: s.checks, ratio: round4(s.ratio) },
  };
}

/** Serves GET and HEAD /livez on 0.0.0.0:port (404 elsewhere); never keeps the process alive. */
export function startLivenessServer(port: number, state: () => LivenessState): http.Server {
  const server = http.createServer((req, res) => {
    try {
      const url = req.url === undefined ? '' : req.url.split('?')[0];
      if (url !== '/livez' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain', connection: 'close' });
        res.end('not found\n');
        return;
      }
      const answer = livezAnswer(state());
      res.writeHead(answer.status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(answer.body) + '\n');
    } catch {
      try {
        res.destroy();
      } catch {
        // Nothing more to do.
      }
    }
  });
  server.on('error', (err) => {
    logOnce('liveness', 'warn', `Not serving /livez: port ${port} is not available; sampling continues`, { port, error: errorText(err), code: errorCode(err) });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.listen(port, '0.0.0.0');
  server.unref();
  return server;
}
