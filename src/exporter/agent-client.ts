/**
 * The sidecar's side of the agent: polls SHARED_DIR/AGENT_READING_FILE and keeps the latest
 * valid reading; connects to SHARED_DIR/AGENT_SOCKET (the agent listens), reconnects with a
 * capped backoff whenever the app restarts or is not up yet, and pairs snapshot requests with
 * their results by id there. The connection also says the app process is still there: a
 * killed app leaves its last reading file behind, but its socket closes at once.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { AgentReading, CaptureKind, SnapshotRequest, SnapshotResult } from '../contract';
import { parseAgentLine } from './agent-messages';
import { LineSplitter } from './line-splitter';

export interface AgentClientOptions {
  /** Path of the agent's unix socket. */
  readonly socketPath: string;
  /** Path of the agent's reading file. */
  readonly readingPath: string;
  /**
   * How often the reading file is looked at (a stat; read only when it changed). The agent
   * replaces it once per check, so a reading reaches the sidecar at most this late.
   * @default 1000
   */
  readonly pollMs?: number;
  /** Called with every new valid reading seen, in order (a poll sees only the latest). */
  readonly onReading?: (reading: AgentReading) => void;
  /** Called for every line that was dropped (bad JSON, bad shape, oversize), with why. */
  readonly onRejected?: (reason: string) => void;
  /** First reconnect delay; doubles up to maxBackoffMs. @default 200 */
  readonly minBackoffMs?: number;
  /** @default 5000 */
  readonly maxBackoffMs?: number;
}

/** The agent did not answer a snapshot request in time (the admin API answers 504). */
export class AgentTimeoutError extends Error {
  constructor(id: string, timeoutMs: number) {
    super(`agent did not answer snapshot ${id} within ${timeoutMs} ms`);
    this.name = 'AgentTimeoutError';
  }
}

/** A reading is under 2 KB; anything far larger is not one and is not read. */
const MAX_READING_FILE_BYTES = 1024 * 1024;

interface Pending {
  readonly resolve: (r: SnapshotResult) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class AgentClient {
  private socket?: net.Socket;
  private connectedFlag = false;
  private stopped = false;
  private backoffMs: number;
  private reconnectTimer?: NodeJS.Timeout;
  private pollTimer?: NodeJS.Timeout;
  private polling = false;
  /** Identifies the reading file's version last read (inode, mtime, size). */
  private seenVersion = '';
  private readonly pending = new Map<string, Pending>();
  private readonly splitter: LineSplitter;
  /** The latest valid reading and when the agent wrote it (the file's mtime, epoch ms). */
  latest?: { readonly reading: AgentReading; readonly receivedAt: number };

  constructor(private readonly options: AgentClientOptions) {
    this.backoffMs = options.minBackoffMs ?? 200;
    this.splitter = new LineSplitter(
      (line) => this.handleLine(line),
      () => options.onRejected?.('line too long'),
    );
  }

  get connected(): boolean {
    return this.connectedFlag;
  }

  start(): void {
    this.stopped = false;
    this.connect();
    void this.poll();
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollMs ?? 1000);
    this.pollTimer.unref();
  }

  /** Sends a snapshot (or profile) request and resolves with the agent's result, or rejects on timeout or disconnect. */
  requestSnapshot(file: string, timeoutMs: number, kind: CaptureKind = 'snapshot'): Promise<SnapshotResult> {
    const socket = this.socket;
    if (!socket || !this.connectedFlag) return Promise.reject(new Error('agent not connected'));
    const request: SnapshotRequest = { type: 'snapshot', id: randomUUID(), kind, file };
    return new Promise<SnapshotResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request.id);
        reject(new AgentTimeoutError(request.id, timeoutMs));
      }, timeoutMs);
      this.pending.set(request.id, { resolve, reject, timer });
      socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pollTimer);
    this.socket?.destroy();
    this.failPending(new Error('exporter shutting down'));
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = net.createConnection({ path: this.options.socketPath });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      this.connectedFlag = true;
      this.backoffMs = this.options.minBackoffMs ?? 200;
    });
    socket.on('data', (chunk: string) => this.splitter.push(chunk));
    socket.on('error', () => {
      // 'close' follows and schedules the reconnect; the error itself (ENOENT, ECONNREFUSED
      // while the app starts) is expected and not worth a log line per attempt.
    });
    socket.on('close', () => {
      if (this.socket === socket) {
        this.connectedFlag = false;
        this.splitter.reset();
        this.failPending(new Error('agent disconnected'));
        this.scheduleReconnect();
      }
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 5000);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }

  /** Reads the reading file when it changed since the last poll. A missing file is no reading yet. */
  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const st = await fs.promises.stat(this.options.readingPath);
      const version = `${st.ino}:${st.mtimeMs}:${st.size}`;
      if (version === this.seenVersion) return;
      this.seenVersion = version;
      if (st.size > MAX_READING_FILE_BYTES) return this.options.onRejected?.(`reading file over ${MAX_READING_FILE_BYTES} bytes`);
      const msg = parseAgentLine((await fs.promises.readFile(this.options.readingPath, 'utf8')).trim());
      if (msg.kind === 'invalid') return this.options.onRejected?.(`reading file: ${msg.reason}`);
      if (msg.kind !== 'reading') return this.options.onRejected?.('reading file holds no reading');
      this.latest = { reading: msg.reading, receivedAt: st.mtimeMs };
      this.options.onReading?.(msg.reading);
    } catch {
      // ENOENT until the agent's first check, or the file replaced between stat and read:
      // the next poll looks again.
    } finally {
      this.polling = false;
    }
    return undefined;
  }

  private handleLine(line: string): void {
    const msg = parseAgentLine(line);
    if (msg.kind === 'invalid') {
      this.options.onRejected?.(msg.reason);
    } else if (msg.kind === 'reading') {
      this.options.onRejected?.('a reading on the socket (readings come from the reading file)');
    } else {
      const p = this.pending.get(msg.result.id);
      if (!p) return this.options.onRejected?.('snapshot-result for an unknown id');
      this.pending.delete(msg.result.id);
      clearTimeout(p.timer);
      p.resolve(msg.result);
    }
  }

  private failPending(error: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(error);
    }
  }
}
