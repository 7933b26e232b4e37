/**
 * The sidecar's side of the agent socket: connects to SHARED_DIR/AGENT_SOCKET (the agent
 * listens), reconnects with a capped backoff whenever the app restarts or is not up yet,
 * keeps the latest valid reading, and pairs snapshot requests with their results by id.
 */
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { AgentReading, SnapshotRequest, SnapshotResult } from '../contract';
import { parseAgentLine } from './agent-messages';
import { LineSplitter } from './line-splitter';

export interface AgentClientOptions {
  /** Path of the agent's unix socket. */
  readonly socketPath: string;
  /** Called with every valid reading, in arrival order. */
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
  private readonly pending = new Map<string, Pending>();
  private readonly splitter: LineSplitter;
  /** The latest valid reading and when it arrived (local clock, epoch ms). */
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
  }

  /** Sends a snapshot request and resolves with the agent's result, or rejects on timeout or disconnect. */
  requestSnapshot(file: string, timeoutMs: number): Promise<SnapshotResult> {
    const socket = this.socket;
    if (!socket || !this.connectedFlag) return Promise.reject(new Error('agent not connected'));
    const request: SnapshotRequest = { type: 'snapshot', id: randomUUID(), file };
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

  private handleLine(line: string): void {
    const msg = parseAgentLine(line);
    if (msg.kind === 'invalid') {
      this.options.onRejected?.(msg.reason);
    } else if (msg.kind === 'reading') {
      this.latest = { reading: msg.reading, receivedAt: Date.now() };
      this.options.onReading?.(msg.reading);
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
