/**
 * Helpers for the exporter tests: the bundled sidecar (what ships) as a real child process,
 * the real agent inside a real app process, the scripted stand-in agent, plain HTTP.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleExporter } from '../../scripts/bundle';
import { EXPORTER_NODE_FLAGS } from '../../src/contract';
import { agentBundle } from './agent-bundle';
import { freePort } from './free-port';
import { REPO_ROOT } from './repo-root';

export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');
/** Node 24 (the tests run under it; `npm test` puts node_modules/.bin first on PATH). */
export const NODE = process.execPath;
/** A token used only by these tests; obviously not a secret. */
export const TEST_TOKEN = 'heapwatch-test-token-not-a-secret';

let bundled: Promise<string> | undefined;
/** Bundles the sidecar once per test process into a private temp dir, removed when the process exits. */
export function exporterBundle(): Promise<string> {
  if (!bundled) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-exporter-bundle-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    bundled = bundleExporter({ outfile: path.join(dir, 'heapwatch-exporter.js') });
  }
  return bundled;
}

/** A fresh shared dir plus a token file beside it. */
export function makeSharedDir(): { dir: string; tokenFile: string; root: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-exporter-test-'));
  const dir = path.join(root, 'shared');
  fs.mkdirSync(dir);
  const tokenFile = path.join(root, 'token');
  fs.writeFileSync(tokenFile, `${TEST_TOKEN}\n`);
  return { dir, tokenFile, root };
}

export interface Running {
  readonly proc: ChildProcess;
  readonly lines: string[];
  readonly stderr: string[];
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv): Running {
  const proc = spawn(NODE, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      lines.push(out.slice(0, nl));
      out = out.slice(nl + 1);
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => stderr.push(c));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc, lines, stderr, exited,
    stop: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

export interface RunningExporter extends Running {
  readonly port: number;
  /** Audit lines parsed. */
  audit(): Record<string, unknown>[];
}

/** Starts the bundled sidecar with the given environment; resolves once it listens. */
export async function startExporter(env: Record<string, string>): Promise<RunningExporter> {
  const bundle = await exporterBundle();
  const r = run([...EXPORTER_NODE_FLAGS, bundle], { PATH: process.env.PATH, HEAPWATCH_PORT: '0', ...env });
  const port = await waitFor(() => {
    for (const l of r.lines) {
      if (l.includes('"event":"listening"')) return (JSON.parse(l) as { port: number }).port;
    }
    if (r.proc.exitCode !== null) throw new Error(`exporter exited ${r.proc.exitCode}: ${r.stderr.join('')}`);
    return undefined;
  }, 15_000, 'the exporter to listen');
  return {
    ...r,
    port,
    audit: () => r.lines.filter((l) => l.includes('"event":"admin-request"')).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Runs the sidecar expecting it to refuse to start; resolves with its exit code and stderr. */
export async function runExporterExpectingFailure(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const bundle = await exporterBundle();
  const r = run([...EXPORTER_NODE_FLAGS, bundle], { PATH: process.env.PATH, ...env });
  const timer = setTimeout(() => r.proc.kill('SIGKILL'), 15_000);
  const code = await r.exited;
  clearTimeout(timer);
  return { code, stderr: r.stderr.join('') };
}

/** The scripted stand-in agent (test/fixtures/exporter-scripted-agent.js). */
export async function startScriptedAgent(script: Record<string, unknown> & { dir: string }): Promise<Running> {
  const r = run([path.join(FIXTURES, 'exporter-scripted-agent.js')], { PATH: process.env.PATH, SCRIPT: JSON.stringify(script) });
  await waitFor(() => (r.lines.includes('ready') ? true : undefined), 10_000, 'the scripted agent');
  return r;
}

/** A real app process with the REAL heapwatch agent loaded through NODE_OPTIONS. */
export async function startAppWithRealAgent(dir: string, extraEnv: Record<string, string> = {}, fixture = 'exporter-app.js'): Promise<Running> {
  const r = run([path.join(FIXTURES, fixture)], {
    PATH: process.env.PATH,
    NODE_OPTIONS: `--require ${agentBundle()}`,
    HEAPWATCH_DIR: dir,
    HEAPWATCH_CHECK_INTERVAL_SECONDS: '1',
    HEAPWATCH_LIVENESS_PORT: String(await freePort()),
    HEAPWATCH_STARTUP_GRACE_SECONDS: '0',
    ...extraEnv,
  });
  await waitFor(() => (r.lines.some((l) => l.startsWith('{"pid"')) ? true : undefined), 10_000, 'the app with the agent');
  return r;
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
      if (String(e).includes('exited')) throw e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

export function request(port: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export const auth = (token = TEST_TOKEN) => ({ authorization: `Bearer ${token}` });

/** Samples of one series name in an exposition text: labels string -> value. */
export function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

export function value(text: string, name: string, labels = ''): number | undefined {
  return samples(text, name).get(labels);
}

export async function metricsText(port: number): Promise<string> {
  const r = await request(port, 'GET', '/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.text;
}
