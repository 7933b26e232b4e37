/**
 * The sidecar's settings, read once from the environment at start-up (EXPORTER_ENV).
 * Every problem is reported at once, each naming the variable, the value given and
 * what is allowed, so a bad Deployment fails fast with one readable message.
 */
import * as path from 'node:path';
import { EXPORTER_ENV, SHARED_DIR, TOKEN_MOUNT_DIR } from '../contract';

export type SourceKind = 'agent' | 'scrape';

export interface ExporterSettings {
  /** The shared emptyDir (reading file, socket, snapshots, restart marker). @default SHARED_DIR ("/heapwatch") */
  readonly dir: string;
  /** Port of /metrics, /healthz, /readyz and the admin API; 0 picks a free one (tests). @default 9464 */
  readonly port: number;
  /** Where the app's readings come from. @default "agent" */
  readonly source: SourceKind;
  /** The app's own /metrics, on localhost only; required when source is "scrape". @default - none */
  readonly scrapeUrl?: string;
  /** The agent's check interval; freshness and the scrape period derive from it. @default 15 */
  readonly checkIntervalSeconds: number;
  /** The bearer token file (the mounted Secret). @default "/var/run/secrets/heapwatch/token" */
  readonly tokenFile: string;
  /** Snapshot files kept in the volume, the pre-restart one included. @default 3 */
  readonly snapshotMaxKept: number;
  /** Minimum seconds between two requested snapshots. @default 300 */
  readonly snapshotCooldownSeconds: number;
  /** The shared volume's size limit (emptyDir sizeLimit). @default 2147483648 (2Gi) */
  readonly snapshotVolumeLimitBytes: number;
  /** The app container's memory limit, when the agent does not report one. @default - not exported */
  readonly containerMemoryLimitBytes?: number;
}

export class EnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`heapwatch exporter: invalid environment:\n  ${problems.join('\n  ')}`);
    this.name = 'EnvError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Reads and validates the sidecar's environment; throws EnvError listing every problem. */
export function readSettings(env: Env): ExporterSettings {
  const problems: string[] = [];
  const bad = (name: string, value: string, allowed: string) =>
    problems.push(`${name}=${JSON.stringify(value)} is invalid: ${allowed}`);

  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const number = (name: string, def: number, min: number, max: number, integer: boolean): number => {
    const raw = get(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    const kind = integer ? 'an integer' : 'a number';
    if (!/^[0-9.eE+-]+$/.test(raw) || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      bad(name, raw, `must be ${kind} from ${min} to ${max}`);
      return def;
    }
    return n;
  };

  const dirRaw = get(EXPORTER_ENV.dir) ?? SHARED_DIR;
  if (!path.isAbsolute(dirRaw)) bad(EXPORTER_ENV.dir, dirRaw, 'must be an absolute path (the shared volume)');

  const port = number(EXPORTER_ENV.port, 9464, 0, 65535, true);

  const sourceRaw = get(EXPORTER_ENV.source) ?? 'agent';
  let source: SourceKind = 'agent';
  if (sourceRaw === 'agent' || sourceRaw === 'scrape') source = sourceRaw;
  else bad(EXPORTER_ENV.source, sourceRaw, 'must be "agent" or "scrape"');

  const scrapeRaw = get(EXPORTER_ENV.scrapeUrl);
  let scrapeUrl: string | undefined;
  if (scrapeRaw !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(scrapeRaw);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'http:' || !LOCAL_HOSTS.has(url.hostname) || url.username !== '' || url.password !== '') {
      bad(EXPORTER_ENV.scrapeUrl, scrapeRaw, 'must be an http:// URL on localhost, 127.0.0.1 or [::1] (the app container), without credentials');
    } else {
      scrapeUrl = url.toString();
    }
  } else if (source === 'scrape') {
    problems.push(`${EXPORTER_ENV.scrapeUrl} is not set: required when ${EXPORTER_ENV.source}=scrape (e.g. http://127.0.0.1:3000/metrics)`);
  }

  const checkIntervalSeconds = number(EXPORTER_ENV.checkIntervalSeconds, 15, 0.1, 3600, false);

  const tokenFile = get(EXPORTER_ENV.tokenFile) ?? path.posix.join(TOKEN_MOUNT_DIR, 'token');
  if (!path.isAbsolute(tokenFile)) bad(EXPORTER_ENV.tokenFile, tokenFile, 'must be an absolute path (the mounted Secret file)');

  const snapshotMaxKept = number(EXPORTER_ENV.snapshotMaxKept, 3, 1, 100, true);
  const snapshotCooldownSeconds = number(EXPORTER_ENV.snapshotCooldownSeconds, 300, 0, 86400, false);
  const snapshotVolumeLimitBytes = number(EXPORTER_ENV.snapshotVolumeLimitBytes, 2 * 2 ** 30, 1, Number.MAX_SAFE_INTEGER, true);
  const limitRaw = get(EXPORTER_ENV.containerMemoryLimitBytes);
  const containerMemoryLimitBytes =
    limitRaw === undefined ? undefined : number(EXPORTER_ENV.containerMemoryLimitBytes, 0, 1, Number.MAX_SAFE_INTEGER, true);

  if (problems.length > 0) throw new EnvError(problems);
  return {
    dir: path.resolve(dirRaw),
    port,
    source,
    scrapeUrl,
    checkIntervalSeconds,
    tokenFile,
    snapshotMaxKept,
    snapshotCooldownSeconds,
    snapshotVolumeLimitBytes,
    containerMemoryLimitBytes,
  };
}
