/**
 * /livez for the kubelet's liveness probe, on its own small HTTP server in the app process
 * (a probe restarts only the container it is defined on, so it has to be the app's).
 */
import type * as http from 'node:http';
import { startAgentServer } from './http-server';
import { round4 } from './log';

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

/**
 * Serves GET and HEAD /livez on 0.0.0.0:port (404 elsewhere); never keeps the process alive.
 * The probe's own Connection: close ends each connection (the kubelet opens one per probe).
 */
export function startLivenessServer(port: number, state: () => LivenessState): http.Server {
  return startAgentServer({
    port, path: '/livez',
    answer: () => {
      const a = livezAnswer(state());
      return { status: a.status, contentType: 'application/json', body: JSON.stringify(a.body) + '\n' };
    },
    listenError: { key: 'liveness', msg: `Not serving /livez: port ${port} is not available; sampling continues` },
  });
}
