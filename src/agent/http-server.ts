/**
 * The agent's HTTP servers (/livez, and /metrics in lean mode): one path, GET and HEAD, 404
 * for anything else. They share the app's `node:http` code, so they answer the way most apps
 * do (setHeader, then end with a string): V8 then sees no call shape or object layout in that
 * code that the app's own requests have not shown it, and keeps it optimized. A server
 * speaking HTTP by hand on `net` instead (no agent object in `node:http` at all) cost the app
 * far more: its sockets' layout differs from the app's HTTP sockets, and the stream code both
 * write through deoptimized (`npm run bench:lean`, bench/README.md). Never keeps the process
 * alive, never throws into the app; a port that cannot be listened on is logged once.
 */
import * as http from 'node:http';
import { errorCode, errorText, logOnce } from './log';

export interface AgentAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface AgentServerOptions {
  readonly port: number;
  /** The one path served (a query string is ignored). */
  readonly path: string;
  /** The answer to GET and HEAD on the path. */
  readonly answer: () => AgentAnswer;
  /** The log key and message for a port that cannot be listened on. */
  readonly listenError: { readonly key: string; readonly msg: string };
}

export function startAgentServer(o: AgentServerOptions): http.Server {
  const server = http.createServer((req, res) => {
    try {
      const url = req.url === undefined ? '' : req.url.split('?')[0];
      const served = url === o.path && (req.method === 'GET' || req.method === 'HEAD');
      const a: AgentAnswer = served ? o.answer() : NOT_FOUND;
      // Only when it is not the default: an app that never sets statusCode has it as an
      // unchanged field, and one store to it gave the agent's response another layout than the
      // app's (--trace-deopt: "wrong map" from setHeader to resOnFinish on the next scrape).
      if (a.status !== 200) res.statusCode = a.status;
      res.setHeader('content-type', a.contentType);
      res.end(req.method === 'HEAD' ? undefined : a.body);
    } catch (err) {
      logOnce(`${o.listenError.key}:request`, 'warn', `A ${o.path} request failed; the app is not affected`, { error: errorText(err) });
      try {
        res.destroy();
      } catch {
        // Nothing more to do.
      }
    }
  });
  server.on('error', (err) => {
    logOnce(o.listenError.key, 'warn', o.listenError.msg, { port: o.port, error: errorText(err), code: errorCode(err) });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  // A kept connection (Prometheus keeps its own between scrapes) must not keep the app alive either.
  server.on('connection', (socket) => socket.unref());
  server.listen(o.port, '0.0.0.0');
  server.unref();
  return server;
}

const NOT_FOUND: AgentAnswer = { status: 404, contentType: 'text/plain', body: 'not found\n' };
