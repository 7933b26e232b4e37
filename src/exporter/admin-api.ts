/**
 * The admin API, on the metrics port, for two kinds of file the agent writes on request:
 *   POST /admin/heap-snapshots          ask the agent for a heap snapshot (201, or 401/409/429/503/500/504)
 *   GET  /admin/heap-snapshots          list kept snapshots (name, bytes, createdAt)
 *   GET  /admin/heap-snapshots/:name    download one (400 for a bad name, 404 when absent)
 * and the same three routes under /admin/heap-profiles for live allocation profiles
 * (.heapprofile). One router serves both kinds: the same token, audit, name rules and refusals.
 * Every request needs the bearer token and leaves one audit line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import express, { NextFunction, Request, Response } from 'express';
import type { Counter } from 'prom-client';
import { CaptureKind, SnapshotResult } from '../contract';
import { AgentTimeoutError } from './agent-client';
import { AuditSink, auditLine } from './audit-log';
import { SnapshotOutcome } from './metrics';
import { nameRule, SnapshotStore } from './snapshot-store';
import { TokenFile } from './token';

/** Where the app mounts the router this file makes. */
export const ADMIN_PREFIX = '/admin';
export const ADMIN_PATHS: Readonly<Record<CaptureKind, string>> = { snapshot: '/heap-snapshots', profile: '/heap-profiles' };
export const ADMIN_BASE = ADMIN_PREFIX + ADMIN_PATHS.snapshot;
export const PROFILES_BASE = ADMIN_PREFIX + ADMIN_PATHS.profile;

/** What the admin API needs from the agent. */
export interface SnapshotTaker {
  /** The app's heap used when a fresh agent is connected, else why not. */
  availability(): { readonly ok: true; readonly heapUsed: number } | { readonly ok: false; readonly why: string };
  take(kind: CaptureKind, file: string, timeoutMs: number): Promise<SnapshotResult>;
}

/** One kind of file: its folder, its cap and pacing, and the room one needs. */
export interface CaptureOptions {
  readonly store: SnapshotStore;
  /** Requests by outcome (heapwatch_heap_snapshots_total, heapwatch_heap_profiles_total). */
  readonly counter: Counter<'outcome'>;
  /** Files kept, the pre-restart one included. */
  readonly maxKept: number;
  /** Minimum seconds between two requested files. */
  readonly cooldownSeconds: number;
  /** Free bytes one needs in the shared volume, given the app's heap used. */
  readonly roomBytes: (heapUsed: number) => number;
  /** How long to wait for the agent's result. */
  readonly timeoutMs: number;
}

export interface AdminApiOptions {
  readonly token: TokenFile;
  readonly taker: SnapshotTaker;
  readonly audit: AuditSink;
  readonly snapshot: CaptureOptions;
  readonly profile: CaptureOptions;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Room a snapshot needs, as a multiple of the app's heap used (a .heapsnapshot file is
 * usually 1-2x the used heap).
 */
export const SNAPSHOT_ROOM_FACTOR = 2;
/**
 * Room a profile needs, whatever the heap: a profile is its samples (about 40 bytes each) and
 * their stacks; a 440 MiB leak sampled at 512 KiB made a 30 KB file.
 */
export const PROFILE_ROOM_BYTES = 4 * 1024 * 1024;

/** How the answers name the kind: `one` in full, `short` where the route already says which. */
const NOUNS: Readonly<Record<CaptureKind, { one: string; short: string; list: string }>> = {
  snapshot: { one: 'heap snapshot', short: 'snapshot', list: 'snapshots' },
  profile: { one: 'allocation profile', short: 'allocation profile', list: 'profiles' },
};

interface Locals {
  outcome?: string;
  kind?: CaptureKind;
  file?: string;
}

export function createAdminRouter(o: AdminApiOptions): express.Router {
  const router = express.Router();
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
        snapshot: l.kind === 'snapshot' ? l.file : undefined,
        profile: l.kind === 'profile' ? l.file : undefined,
      }));
    });
    next();
  });
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (o.token.check(req.headers.authorization)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="heapwatch"');
    reply(res, 401, 'unauthorized', { error: 'missing or wrong bearer token' });
  });
  for (const kind of ['snapshot', 'profile'] as const) router.use(ADMIN_PATHS[kind], captureRouter(kind, o[kind], o));
  return router;
}

function reply(res: Response, status: number, outcome: string, body: object): void {
  (res.locals as Locals).outcome = outcome;
  res.status(status).json(body);
}

function captureRouter(kind: CaptureKind, c: CaptureOptions, o: AdminApiOptions): express.Router {
  const router = express.Router();
  const now = o.now ?? Date.now;
  const noun = NOUNS[kind];
  let busy = false;
  let lastStartedAt: number | undefined;

  router.use((_req: Request, res: Response, next: NextFunction) => {
    (res.locals as Locals).kind = kind;
    next();
  });
  const refuse = (res: Response, status: number, outcome: string, error: string, extra: object = {}) => {
    c.counter.inc({ outcome: 'refused' satisfies SnapshotOutcome });
    reply(res, status, outcome, { error, ...extra });
  };

  router.post('/', async (_req: Request, res: Response) => {
    const agent = o.taker.availability();
    if (!agent.ok) return refuse(res, 503, 'no-agent', `no ${noun.one}: ${agent.why}`);
    if (busy) return refuse(res, 409, 'busy', `a ${noun.one} is already being written`);
    const t = now();
    const cooldownMs = c.cooldownSeconds * 1000;
    if (lastStartedAt !== undefined && t - lastStartedAt < cooldownMs) {
      const retryAfter = Math.ceil((lastStartedAt + cooldownMs - t) / 1000);
      res.setHeader('Retry-After', String(retryAfter));
      return refuse(res, 429, 'cooldown', `${noun.one}s are at most one per ${c.cooldownSeconds} s`, { retryAfterSeconds: retryAfter });
    }
    // Make room for the new file first: the cap counts it (and any pre-restart file), and
    // exceeding the emptyDir's sizeLimit gets the whole pod evicted, which is worse than
    // losing the oldest file.
    c.store.ensureDir();
    c.store.prune(c.maxKept - 1);
    const needed = Math.ceil(c.roomBytes(agent.heapUsed));
    const free = c.store.freeBytes();
    if (free < needed) return refuse(res, 503, 'no-room', `the shared volume has ${free} bytes free; a ${noun.short} of this heap needs about ${needed}`);

    busy = true;
    const previousStart = lastStartedAt;
    lastStartedAt = t;
    const file = c.store.newName(new Date(t));
    (res.locals as Locals).file = file;
    try {
      const result = await o.taker.take(kind, file, c.timeoutMs);
      if (result.ok) {
        c.store.prune(c.maxKept);
        c.counter.inc({ outcome: 'written' satisfies SnapshotOutcome });
        const found = c.store.find(file);
        return reply(res, 201, 'written', { name: file, bytes: found?.bytes ?? result.bytes ?? 0, durationMs: result.durationMs });
      }
      fs.rmSync(path.join(c.store.dir, file), { force: true }); // no half-written file left behind
      if (result.reason === 'no-headroom' || result.reason === 'busy' || result.reason === 'too-slow' || result.reason === 'disabled') {
        lastStartedAt = previousStart; // refused before any pause: no cooldown for the app to recover from
        const status = result.reason === 'busy' ? 409 : 503;
        // The agent's own words and figures (the estimated need and the headroom) reach the caller.
        const figures = { reason: result.reason, message: result.message, neededBytes: result.neededBytes, headroomBytes: result.headroomBytes };
        const why = result.message ? `${result.reason}: ${result.message}` : result.reason;
        return refuse(res, status, `agent-${result.reason}`, `the agent refused the ${noun.short}: ${why}`, figures);
      }
      c.counter.inc({ outcome: 'failed' satisfies SnapshotOutcome });
      return reply(res, 500, 'failed', { error: `the agent could not write the ${noun.short}: ${result.reason ?? 'error'}` });
    } catch (e) {
      c.counter.inc({ outcome: 'failed' satisfies SnapshotOutcome });
      const timedOut = e instanceof AgentTimeoutError;
      return reply(res, timedOut ? 504 : 503, timedOut ? 'timeout' : 'agent-lost', { error: String((e as Error).message) });
    } finally {
      busy = false;
    }
  });

  router.get('/', (_req: Request, res: Response) => {
    reply(res, 200, 'listed', { [noun.list]: c.store.list().reverse(), maxKept: c.maxKept });
  });

  router.get('/:name', async (req: Request, res: Response) => {
    const name = String(req.params.name);
    if (!c.store.isValidName(name)) return reply(res, 400, 'bad-name', { error: `invalid ${noun.short} name: ${nameRule(c.store.extension)}` });
    const found = c.store.find(name);
    if (!found) return reply(res, 404, 'not-found', { error: `no ${noun.short} named ${name}` });
    let handle: fs.promises.FileHandle;
    try {
      // O_NOFOLLOW: a symlink swapped in after the check is refused, not followed.
      handle = await fs.promises.open(found.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return reply(res, 404, 'not-found', { error: `no ${noun.short} named ${name}` });
    }
    const { size } = await handle.stat(); // of the file actually opened
    const stream = handle.createReadStream();
    (res.locals as Locals).outcome = 'downloaded';
    (res.locals as Locals).file = name;
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
