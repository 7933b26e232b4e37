/**
 * The two kubectl calls `heapwatch fetch` makes, with the user's own kubectl and kubeconfig:
 * reading the admin token from its Secret (never printed) and a port-forward to the sidecar.
 */
import { spawn } from 'node:child_process';

/** kubectl failed or is missing; the message says which call and what kubectl said. */
export class KubectlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubectlError';
  }
}

const PORT_FORWARD_TIMEOUT_MS = 30_000;

/** kubectl's namespace flag, or none: then kubectl takes the current context's namespace. */
const namespaceArgs = (namespace: string | undefined) => (namespace === undefined ? [] : ['--namespace', namespace]);
/** Where a call ran, for its error message. */
const where = (namespace: string | undefined) => (namespace === undefined ? "the current context's namespace" : namespace);

function missing(err: NodeJS.ErrnoException): KubectlError {
  return new KubectlError(err.code === 'ENOENT' ? 'kubectl is not installed or not on PATH' : `kubectl: ${err.message}`);
}

/** One key of a Secret, decoded. */
export function readSecretKey(namespace: string | undefined, secret: string, key: string): Promise<string> {
  const jsonpath = `{.data.${key.replace(/\./g, '\\.')}}`;
  const child = spawn('kubectl', [...namespaceArgs(namespace), 'get', 'secret', secret, '-o', `jsonpath=${jsonpath}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(missing(e)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new KubectlError(`kubectl get secret ${secret} in ${where(namespace)} failed: ${err.trim() || `exit ${code}`}`));
      const token = Buffer.from(out.trim(), 'base64').toString('utf8').trim();
      if (!token) return reject(new KubectlError(`Secret ${secret} in ${where(namespace)} has no key ${JSON.stringify(key)} (or it is empty)`));
      resolve(token);
    });
  });
}

export interface PortForward {
  readonly localPort: number;
  close(): void;
}

/** `kubectl port-forward TARGET :PORT` on 127.0.0.1 with a free local port; resolves once it forwards. */
export function portForward(namespace: string | undefined, target: string, port: number): Promise<PortForward> {
  const child = spawn('kubectl', [...namespaceArgs(namespace), 'port-forward', '--address', '127.0.0.1', target, `:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new KubectlError(`kubectl port-forward ${target} :${port} in ${where(namespace)} did not start forwarding within ${PORT_FORWARD_TIMEOUT_MS / 1000} s${err ? `: ${err.trim()}` : ''}`));
    }, PORT_FORWARD_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); reject(missing(e)); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ localPort: Number(m[1]), close: () => { child.kill(); } });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new KubectlError(`kubectl port-forward ${target} :${port} in ${where(namespace)} exited (${code}): ${err.trim() || out.trim()}`));
    });
  });
}
