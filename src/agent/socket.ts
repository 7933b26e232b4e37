/**
 * The agent's unix socket in the shared volume: the sidecar connects and asks for heap
 * snapshots or allocation profiles (SnapshotRequest), the agent answers when done (SnapshotResult), one JSON object
 * per line. Whoever listens on it owns the shared volume: only the owner writes the reading
 * file, so one watched process per pod publishes.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { AGENT_SOCKET, SnapshotRequest, SnapshotResult } from '../contract';
import { AllocationProfiler, PROFILE_FILE } from './allocation-profile';
import { errorCode, errorText, log, logOnce } from './log';
import { sampleHeap } from './sample';
import { SNAPSHOT_FILE, Snapshots } from './snapshots';

/** A client that stopped reading is dropped past this much unsent data. */
const MAX_PENDING_WRITE_BYTES = 1024 * 1024;
/** An incoming line longer than this is not a SnapshotRequest; the client is dropped. */
export const MAX_LINE_BYTES = 64 * 1024;

type Guard = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => R | undefined;
type ResultBody = Omit<SnapshotResult, 'type' | 'id'>;

export class AgentSocket {
  readonly path: string;
  private server: net.Server | null = null;
  private readonly clients = new Set<net.Socket>();

  /**
   * @param onListening called once the socket listens (the reading file is then written)
   * @param guard wraps every callback so a fault disables the agent
   */
  constructor(dir: string, private readonly snapshots: Snapshots, private readonly profiler: AllocationProfiler, private readonly guard: Guard, private readonly onListening: () => void) {
    this.path = path.join(dir, AGENT_SOCKET);
  }

  /** True while this process owns the socket (and so publishes the reading file). */
  publishing(): boolean {
    return this.server !== null && this.server.listening;
  }

  start(): void {
    let st: fs.Stats | null = null;
    try {
      st = fs.lstatSync(this.path);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') return this.fail(err);
    }
    if (st === null) return this.listen();
    if (!st.isSocket()) return this.fail(new Error(`${this.path} exists and is not a socket`));
    // A socket file is left over from a previous process, or another watched process is
    // publishing: only a socket nobody answers on is stale and replaced.
    const probe = net.connect(this.path);
    probe.unref();
    probe.on('connect', () => {
      probe.destroy();
      logOnce('socket:taken', 'warn', 'Another heapwatch agent already publishes on the socket; this process is not published', { socket: this.path });
    });
    probe.on('error', this.guard(() => {
      try {
        fs.unlinkSync(this.path);
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') return this.fail(err);
      }
      return this.listen();
    }));
    return undefined;
  }

  /** Drops every client and stops listening (the socket file stays until exit). */
  close(): void {
    for (const c of this.clients) c.destroy();
    this.server?.close();
  }

  /** Removes the socket file, if this process owns it. */
  remove(): void {
    if (!this.publishing()) return;
    try {
      fs.unlinkSync(this.path);
    } catch {
      // Gone already.
    }
  }

  private fail(err: unknown): void {
    logOnce('socket', 'warn', `Not publishing readings: cannot listen on ${this.path}; the app is not affected`, { socket: this.path, error: errorText(err), code: errorCode(err) });
  }

  private listen(): void {
    const server = net.createServer(this.guard((client: net.Socket) => this.onClient(client)));
    this.server = server;
    server.on('error', (err) => {
      this.server = null;
      this.fail(err);
    });
    server.listen(this.path, this.guard(() => {
      // Group access: the sidecar may run as another user sharing the volume's fsGroup.
      try {
        fs.chmodSync(this.path, 0o660);
      } catch {
        // Keep the default mode.
      }
      this.onListening();
    }));
    server.unref();
  }

  private onClient(client: net.Socket): void {
    client.unref();
    this.clients.add(client);
    client.setEncoding('utf8');
    let buffered = '';
    client.on('error', () => this.clients.delete(client));
    client.on('close', () => this.clients.delete(client));
    client.on('data', this.guard((chunk: string) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line !== '') this.onLine(client, line);
      }
      if (buffered.length > MAX_LINE_BYTES) {
        logOnce('socket:long-line', 'warn', `Dropped a socket client that sent a line over ${MAX_LINE_BYTES} bytes`);
        this.clients.delete(client);
        client.destroy();
      }
    }));
  }

  private send(client: net.Socket, line: string): void {
    if (client.destroyed) {
      this.clients.delete(client);
      return;
    }
    if (client.writableLength > MAX_PENDING_WRITE_BYTES) {
      this.clients.delete(client);
      client.destroy();
      return;
    }
    client.write(line);
  }

  private onLine(client: net.Socket, line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      logOnce('socket:bad-json', 'warn', 'Ignored a socket line that is not JSON', { line: line.slice(0, 80) });
      return;
    }
    const type = (msg as { type?: unknown } | null)?.type;
    if (msg === null || typeof msg !== 'object' || type !== 'snapshot') {
      logOnce('socket:bad-type', 'warn', 'Ignored a socket message whose type is not "snapshot"', { type });
      return;
    }
    this.onSnapshotRequest(client, msg as Partial<Record<keyof SnapshotRequest, unknown>>);
  }

  private onSnapshotRequest(client: net.Socket, msg: Partial<Record<keyof SnapshotRequest, unknown>>): void {
    const id = typeof msg.id === 'string' && msg.id.length > 0 && msg.id.length <= 200 ? msg.id : null;
    const reply = (body: ResultBody) => {
      const result: SnapshotResult = { type: 'snapshot-result', id: id === null ? String(msg.id) : id, ...body };
      this.send(client, JSON.stringify(result) + '\n');
    };
    if (id === null) {
      return reply({ ok: false, reason: 'error', message: `'id' (${JSON.stringify(msg.id)}) must be a string of 1 to 200 characters` });
    }
    if (msg.kind === 'profile') return this.onProfileRequest(id, msg.file, reply);
    if (msg.kind !== undefined && msg.kind !== 'snapshot') {
      return reply({ ok: false, reason: 'error', message: `'kind' (${JSON.stringify(msg.kind)}) must be "snapshot" or "profile"` });
    }
    const file = msg.file;
    if (typeof file !== 'string' || !SNAPSHOT_FILE.test(file)) {
      return reply({ ok: false, reason: 'error', message: `'file' (${JSON.stringify(file)}) must be a plain file name (letters, digits, ".", "_", "-", no path separators) ending in .heapsnapshot` });
    }
    if (this.snapshots.isBusy()) return reply({ ok: false, reason: 'busy', message: 'another heap snapshot is being written' });
    let refusal;
    try {
      refusal = this.snapshots.refusal(sampleHeap());
    } catch (err) {
      // E.g. the volume cannot be inspected: a failed request, not a reason to stop watching.
      return reply({ ok: false, reason: 'error', message: errorText(err) });
    }
    if (refusal !== null) {
      log('warn', `Refused a heap snapshot: ${refusal.message}`, { id, reason: refusal.reason });
      return reply({ ok: false, ...refusal });
    }
    this.snapshots.reserve();
    // Let the event loop finish what it is doing (this reply path, other sockets) before it blocks.
    setImmediate(this.guard(() => {
      try {
        const written = this.snapshots.write(file);
        log('info', 'Heap snapshot written', { id, file: written.file, bytes: written.bytes, durationMs: written.durationMs });
        reply({ ok: true, ...written });
      } catch (err) {
        log('warn', 'Heap snapshot failed', { id, error: errorText(err) });
        reply({ ok: false, reason: 'error', message: errorText(err) });
      }
    }));
    return undefined;
  }

  /** Reading and writing a profile takes milliseconds: done at once, never busy. */
  private onProfileRequest(id: string, file: unknown, reply: (body: ResultBody) => void): void {
    if (typeof file !== 'string' || !PROFILE_FILE.test(file)) {
      return reply({ ok: false, reason: 'error', message: `'file' (${JSON.stringify(file)}) must be a plain file name (letters, digits, ".", "_", "-", no path separators) ending in .heapprofile` });
    }
    if (!this.profiler.running) return reply({ ok: false, reason: 'disabled', message: 'the live allocation profile is off or failed in this process' });
    try {
      const written = this.profiler.write(file);
      if (written === null) return reply({ ok: false, reason: 'disabled', message: 'the live allocation profile failed in this process' });
      log('info', 'Allocation profile written', { id, file: written.file, bytes: written.bytes, durationMs: written.durationMs });
      return reply({ ok: true, ...written });
    } catch (err) {
      log('warn', 'Allocation profile failed', { id, error: errorText(err) });
      return reply({ ok: false, reason: 'error', message: errorText(err) });
    }
  }
}
