/**
 * Runs the heapwatch agent for real: a fixture app in a child Node process (Node 20 and
 * Node 24) with NODE_OPTIONS="--require <the bundled agent>", its readings read
 * from the agent's reading file, snapshots asked on its unix socket and /livez over HTTP.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AGENT_ENV, AGENT_READING_FILE, AGENT_SOCKET, AgentReading, SnapshotResult } from '../../src/contract';
import { agentBundle } from './agent-bundle';
import { REPO_ROOT } from './repo-root';

// The agent tests take their free ports from here with the rest of their toolkit.
export { freePort } from './free-port';

/** The agent file the apps --require: the bundle, what ships. */
export { agentBundle };
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

/** The two Node versions every key case runs on. */
export const NODES = [
  { name: 'Node 20', bin: '/usr/bin/node' },
  { name: 'Node 24', bin: path.join(REPO_ROOT, 'node_modules', '.bin', 'node') },
] as const;
export type NodeUnderTest = (typeof NODES)[number];

/** The V8 old-space size the test apps run with. */
export const MAX_OLD_SPACE_MIB = 128;

/**
 * heap_size_limit for MAX_OLD_SPACE_MIB on this Node: Node 24 adds far more than Node 20 to
 * the old-space size (288 vs 144 MiB for 96), so thresholds are set from the real limit.
 */
export function heapLimitOf(node: NodeUnderTest): number {
  const r = spawnSync(node.bin, [`--max-old-space-size=${MAX_OLD_SPACE_MIB}`, '-p', 'require("v8").getHeapStatistics().heap_size_limit'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  const limit = Number(r.stdout.trim());
  if (!(limit > 0)) throw new Error(`could not read heap_size_limit from ${node.bin}: ${r.stderr}`);
  return limit;
}

/** The high ratio that puts the threshold at `bytes` of heap used on this Node. */
export function highRatioAt(node: NodeUnderTest, bytes: number): number {
  return Math.round((bytes / heapLimitOf(node)) * 1e4) / 1e4;
}

/** Longest any wait may take before the test fails instead of hanging (not a speed target). */
const WAIT_LIMIT_MS = 20_000;

const madeDirs: string[] = [];
// Snapshots are megabytes each: leave nothing behind in /tmp.
process.on('exit', () => {
  for (const dir of madeDirs) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hw-${prefix}-`));
  madeDirs.push(dir);
  return dir;
}

/** Agent settings for tests, by AGENT_ENV key; numbers are written as env strings. */
export type AgentSettings = Partial<Record<keyof typeof AGENT_ENV, string | number | boolean>>;

export interface StartOptions {
  readonly node: NodeUnderTest;
  /** Fixture file name under test/fixtures. */
  readonly fixture: string;
  readonly agent: AgentSettings;
  /** Extra env for the fixture (not the agent). */
  readonly env?: Record<string, string>;
  /** @default "--max-old-space-size=<MAX_OLD_SPACE_MIB>" */
  readonly nodeOptions?: string;
  /** Command to run instead of `node <fixture>` (for the npm wrapper case). */
  readonly command?: { readonly file: string; readonly args: readonly string[]; readonly cwd?: string; readonly path?: string };
}

export class AgentApp {
  readonly stderrLines: string[] = [];
  private stdoutBuffer = '';
  private stderrBuffer = '';
  private exited: Promise<number | null>;
  private firstLine: Promise<string>;

  constructor(readonly child: ChildProcess, readonly dir: string) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.firstLine = new Promise((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        this.stdoutBuffer += d.toString();
        // The first JSON line (npm may print its own lines first).
        const line = this.stdoutBuffer.split('\n').slice(0, -1).find((l) => l.startsWith('{'));
        if (line !== undefined) resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`app exited (${code}) before printing its port; stderr:\n${this.stderrLines.join('\n')}`)));
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderrBuffer += d.toString();
      let nl;
      while ((nl = this.stderrBuffer.indexOf('\n')) >= 0) {
        this.stderrLines.push(this.stderrBuffer.slice(0, nl));
        this.stderrBuffer = this.stderrBuffer.slice(nl + 1);
      }
    });
  }

  /** The fixture's first stdout line, parsed. */
  async hello<T = { port: number; pid: number }>(): Promise<T> {
    return JSON.parse(await withLimit(this.firstLine, 'the app to start')) as T;
  }

  /** The agent's JSON log lines (stderr lines that parse as objects with a msg). */
  logs(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of this.stderrLines) {
      try {
        const o = JSON.parse(line);
        if (o && typeof o === 'object' && o.source === 'heapwatch-agent') out.push(o);
      } catch {
        // Not the agent's.
      }
    }
    return out;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const code = await withLimit(this.exited, 'the app to exit');
    return code;
  }

  hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }
}

/** How many of the app's last stderr lines a failure carries. */
const FAILURE_STDERR_LINES = 20;

/**
 * Runs `fn`, then stops the app whatever happened. A failure carries how the app ended and its
 * last stderr lines (V8's fatal errors and the agent's log land there), so a failure seen once in
 * CI says whether the app died, and why, without a rerun.
 */
export async function withApp(app: AgentApp, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Error) {
      const ended = app.hasExited() ? `exited (code ${app.child.exitCode}, signal ${app.child.signalCode})` : 'still running';
      const more = `\n  the app: ${ended}; its last stderr lines:\n${app.stderrLines.slice(-FAILURE_STDERR_LINES).join('\n')}`;
      // The test runner prints the stack, which holds the message as it was when the error was made.
      if (err.stack?.includes(err.message)) err.stack = err.stack.replace(err.message, err.message + more);
      err.message += more;
    }
    throw err;
  } finally {
    await app.stop();
  }
}

export function startApp(o: StartOptions, dir: string): AgentApp {
  const env: Record<string, string> = {
    PATH: o.command?.path ?? `${path.dirname(o.node.bin)}:/usr/bin:/bin`,
    NODE_OPTIONS: `--require ${agentBundle()} ${o.nodeOptions ?? `--max-old-space-size=${MAX_OLD_SPACE_MIB}`}`,
    [AGENT_ENV.dir]: dir,
    ...o.env,
  };
  for (const [key, value] of Object.entries(o.agent)) env[AGENT_ENV[key as keyof typeof AGENT_ENV]] = String(value);
  const file = o.command?.file ?? o.node.bin;
  const args = o.command?.args ?? [path.join(FIXTURES, o.fixture)];
  const child = spawn(file, [...args], { env, cwd: o.command?.cwd ?? FIXTURES, stdio: ['pipe', 'pipe', 'pipe'] });
  return new AgentApp(child, dir);
}

/** How often AgentReader looks at the reading file: far below the tests' check intervals (>= 50 ms). */
const READING_POLL_MS = 5;

/**
 * A sidecar stand-in for the test: keeps every version of the agent's reading file (polled
 * much faster than the agent checks, so no check is missed) and every line on its socket.
 */
export class AgentReader {
  readonly readings: AgentReading[] = [];
  readonly results: SnapshotResult[] = [];
  private buffer = '';
  private lastFileText = '';
  private waiters: Array<() => void> = [];
  private readonly poller: NodeJS.Timeout;
  private constructor(private readonly socket: net.Socket, private readonly readingPath: string) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 1);
        if (msg.type === 'snapshot-result') this.results.push(msg);
        else throw new Error(`unexpected message on the agent socket: ${JSON.stringify(msg)}`);
      }
      this.wake();
    });
    socket.on('close', () => this.wake());
    this.poller = setInterval(() => this.poll(), READING_POLL_MS);
    this.poller.unref(); // A test that fails before close() must still end.
    this.poll();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private poll(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.readingPath, 'utf8');
    } catch {
      return; // Not written yet (the agent writes after its first check).
    }
    if (text === this.lastFileText) return;
    this.lastFileText = text;
    const msg = JSON.parse(text);
    if (msg.type !== 'reading') throw new Error(`unexpected content in the reading file: ${text}`);
    this.readings.push(msg);
    this.wake();
  }

  /** Connects once the agent has created its socket. */
  static async connect(dir: string): Promise<AgentReader> {
    const socketPath = path.join(dir, AGENT_SOCKET);
    const started = Date.now();
    for (;;) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(socketPath);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        return new AgentReader(socket, path.join(dir, AGENT_READING_FILE));
      } catch (err) {
        if (Date.now() - started > WAIT_LIMIT_MS) throw new Error(`agent socket ${socketPath} never accepted: ${err}`);
        await sleep(25);
      }
    }
  }

  /** Resolves with the first reading at or after index `from` that matches. */
  async reading(match: (r: AgentReading, index: number) => boolean, what: string, from = 0): Promise<AgentReading> {
    const started = Date.now();
    for (;;) {
      const found = this.readings.find((r, i) => i >= from && match(r, i));
      if (found !== undefined) return found;
      if (this.socket.destroyed) throw new Error(`socket closed while waiting for ${what}`);
      if (Date.now() - started > WAIT_LIMIT_MS) throw new Error(`no reading with ${what} after ${this.readings.length} readings; last: ${JSON.stringify(this.readings.at(-1))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async nextReading(): Promise<AgentReading> {
    const from = this.readings.length;
    return this.reading(() => true, 'a new reading', from);
  }

  send(message: unknown): void {
    this.socket.write(JSON.stringify(message) + '\n');
  }

  /** Writes raw text (several lines in one write). */
  sendRaw(text: string): void {
    this.socket.write(text);
  }

  async result(id: string): Promise<SnapshotResult> {
    const started = Date.now();
    for (;;) {
      const found = this.results.find((r) => r.id === id);
      if (found !== undefined) return found;
      if (Date.now() - started > WAIT_LIMIT_MS) throw new Error(`no snapshot-result for ${id}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): void {
    clearInterval(this.poller);
    this.socket.destroy();
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export function httpGet(port: number, urlPath: string, method = 'GET'): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(WAIT_LIMIT_MS, () => req.destroy(new Error(`GET ${urlPath} on port ${port} got no answer`)));
    req.end();
  });
}

/** /livez's answer with its JSON body. */
export async function livez(port: number): Promise<{ status: number; streak: number; checks: number; state: string }> {
  const a = await httpGet(port, '/livez');
  const body = JSON.parse(a.body);
  return { status: a.status, streak: body.streak, checks: body.checks, state: body.status };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withLimit<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited too long for ${what}`)), WAIT_LIMIT_MS);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

export const MiB = 1024 * 1024;
