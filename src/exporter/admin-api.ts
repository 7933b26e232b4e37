/**
 * The admin heap-snapshot API, on the metrics port:
 *   POST /admin/heap-snapshots          ask the agent for a snapshot (201, or 401/409/429/503/500/504)
 *   GET  /admin/heap-snapshots          list kept snapshots (name, bytes, createdAt)
 *   GET  /admin/heap-snapshots/:name    download one (400 for a bad name, 404 when absent)
 * Every request needs the bearer token and leaves one audit line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import express, { NextFunction, Request, Response } from 'express';
import type { Counter } from 'prom-client';
import { SnapshotResult } from '../contract';
import { AgentTimeoutError } from './agent-client';
import { AuditSink, auditLine } from './audit-log';
import { SnapshotOutcome } from './metrics';
import { isValidSnapshotName, SNAPSHOT_NAME_RULE, SnapshotStore } from './snapshot-store';
import { TokenFile } from './token';

export const ADMIN_BASE = '/admin/heap-snapshots';

/** What the admin API needs from the agent. */
export interface SnapshotTaker {
  /** The app's heap used when a fresh agent is connected, else why not. */
  availability(): { readonly ok: true; readonly heapUsed: number } | { readonly ok: false; readonly why: string };
  take(file: string, timeoutMs: number): Promise<SnapshotResult>;
}

export interface AdminApiOptions {
  readonly token: TokenFile;
  readonly store: SnapshotStore;
  readonly taker: SnapshotTaker;
  readonly snapshots: Counter<'outcome'>;
  readonly audit: AuditSink;
  /** Snapshot files kept, the pre-restart one included. */
  readonly maxKept: number;
  /** Minimum seconds between two requested snapshots. */
  readonly cooldownSeconds: number;
  /**
   * Room a snapshot needs, as a multiple of the app's heap used (a .heapsnapshot file is
   * usually 1-2x the used heap). @default 2
   */
  readonly roomFactor?: number;
  /** How long to wait for the agent's result. @default 120000 */
  readonly snapshotTimeoutMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface Locals {
  outcome?: string;
  snapshot?: string;
}

export function createAdminRouter(o: AdminApiOptions): express.Router {
  const router = express.Router();
  const now = o.now ?? Date.now;
  let busy = false;
  let lastStartedAt: number | undefined;

  const reply = (res: Response, status: number, outcome: string, body: object) => {
    (res.locals as Locals).outcome = outcome;
    res.status(status).json(body);
  };
  const refuse = (res: Response, status: number, outcome: string, error: string, extra: object = {}) => {
    o.snapshots.inc({ outcome: 'refused' satisfies SnapshotOutcome });
    reply(res, status, outcome, { error, ...extra });
  };

  // Audit first, so even a refused or malformed request leaves its line.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.on('finish', () => {
      const l = res.locals as Locals;
      o.audit(auditLine({
        method: req.method,
        // Without the query string: a token pasted into a URL by mistake must not reach the log.
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        outcome: l.outcome ?? 'error',
        remote: req.socket.remoteAddress,
        durationMs: performance.now() - started,
        snapshot: l.snapshot,
      }));
    });
    next();
  });

  router.use((req: Request, res: Response, next: NextFunction) => {
    if (o.token.check(req.headers.authorization)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="heapwatch"');
    reply(res, 401, 'unauthorized', { error: 'missing or wrong bearer token' });
  });

  router.post('/', async (_req: Request, res: Response) => {
    const agent = o.taker.availability();
    if (!agent.ok) return refuse(res, 503, 'no-agent', `no heap snapshot: ${agent.why}`);
    if (busy) return refuse(res, 409, 'busy', 'a heap snapshot is already being written');
    const t = now();
    const cooldownMs = o.cooldownSeconds * 1000;
    if (lastStartedAt !== undefined && t - lastStartedAt < cooldownMs) {
      const retryAfter = Math.ceil((lastStartedAt + cooldownMs - t) / 1000);
      res.setHeader('Retry-After', String(retryAfter));
      return refuse(res, 429, 'cooldown', `heap snapshots are at most one per ${o.cooldownSeconds} s`, { retryAfterSeconds: retryAfter });
    }
    // Make room for the new file first: the cap counts it (and any pre-restart snapshot), and
    // exceeding the emptyDir's sizeLimit gets the whole pod evicted, which is worse than
    // losing the oldest snapshot.
    o.store.ensureDir();
    o.store.prune(o.maxKept - 1);
    const needed = Math.ceil(agent.heapUsed * (o.roomFactor ?? 2));
    const free = o.store.freeBytes();
    if (free < needed) return refuse(res, 503, 'no-room', `the shared volume has ${free} bytes free; a snapshot of this heap needs about ${needed}`);

    busy = true;
    const previousStart = lastStartedAt;
    lastStartedAt = t;
    const file = o.store.newName(new Date(t));
    (res.locals as Locals).snapshot = file;
    try {
      const result = await o.taker.take(file, o.snapshotTimeoutMs ?? 120_000);
      if (result.ok) {
        o.store.prune(o.maxKept);
        o.snapshots.inc({ outcome: 'written' satisfies SnapshotOutcome });
        const found = o.store.find(file);
        return reply(res, 201, 'written', { name: file, bytes: found?.bytes ?? result.bytes ?? 0, durationMs: result.durationMs });
      }
      fs.rmSync(path.join(o.store.dir, file), { force: true }); // no half-written file left behind
      if (result.reason === 'no-headroom' || result.reason === 'busy' || result.reason === 'too-slow') {
        lastStartedAt = previousStart; // refused before any pause: no cooldown for the app to recover from
        const status = result.reason === 'busy' ? 409 : 503;
        // The agent's own words and figures (the estimated need and the headroom) reach the caller.
        const figures = { reason: result.reason, message: result.message, neededBytes: result.neededBytes, headroomBytes: result.headroomBytes };
        const why = result.message ? `${result.reason}: ${result.message}` : result.reason;
        return refuse(res, status, `agent-${result.reason}`, `the agent refused the snapshot: ${why}`, figures);
      }
      o.snapshots.inc({ outcome: 'failed' satisfies SnapshotOutcome });
      return reply(res, 500, 'failed', { error: `the agent could not write the snapshot: ${result.reason ?? 'error'}` });
    } catch (e) {
      o.snapshots.inc({ outcome: 'failed' satisfies SnapshotOutcome });
      const timedOut = e instanceof AgentTimeoutError;
      return reply(res, timedOut ? 504 : 503, timedOut ? 'timeout' : 'agent-lost', { error: String((e as Error).message) });
    } finally {
      busy = false;
    }
  });

  router.get('/', (_req: Request, res: Response) => {
    reply(res, 200, 'listed', { snapshots: o.store.list().reverse(), maxKept: o.maxKept });
  });

  router.get('/:name', async (req: Request, res: Response) => {
    const name = String(req.params.name);
    if (!isValidSnapshotName(name)) return reply(res, 400, 'bad-name', { error: `invalid snapshot name: ${SNAPSHOT_NAME_RULE}` });
    const found = o.store.find(name);
    if (!found) return reply(res, 404, 'not-found', { error: `no snapshot named ${name}` });
    let handle: fs.promises.FileHandle;
    try {
      // O_NOFOLLOW: a symlink swapped in after the check is refused, not followed.
      handle = await fs.promises.open(found.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return reply(res, 404, 'not-found', { error: `no snapshot named ${name}` });
    }
    const { size } = await handle.stat(); // of the file actually opened
    const stream = handle.createReadStream();
    (res.locals as Locals).outcome = 'downloaded';
    (res.locals as Locals).snapshot = name;
    res.status(200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(size));
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    await pipeline(stream, res).catch(() => undefined); // a client that hangs up mid-download is not an error
  });

  router.all('/', (_req: Request, res: Response) => {
    res.setHeader('Allow', 'GET, POST');
    reply(res, 405, 'method-not-allowed', { error: 'allowed methods: GET, POST' });
  });
  router.all('/:name', (_req: Request, res: Response) => {
    res.setHeader('Allow', 'GET');
    reply(res, 405, 'method-not-allowed', { error: 'allowed method: GET' });
  });
  return router;
}
