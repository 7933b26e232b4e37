/**
 * The sidecar's settings, read once from the environment at start-up (EXPORTER_ENV).
 * Every problem is reported at once, each naming the variable, the value given and
 * what is allowed, so a bad Deployment fails fast with one readable message.
 */
import * as path from 'node:path';
import { DEFAULT_CONFIG } from '../config/defaults';
import { parseDuration } from '../config/duration';
import { parseQuantity } from '../config/quantity';
import type { MetricsSource } from '../config/types';
import { EXPORTER_ENV, SHARED_DIR, TOKEN_MOUNT_DIR } from '../contract';

/** exporter.source's values: "agent" or "scrape". */
export type SourceKind = `${MetricsSource}`;

export interface ExporterSettings {
  /** The shared emptyDir (reading file, socket, snapshots, restart marker). @default SHARED_DIR ("/heapwatch") */
  readonly dir: string;
  /** Port of /metrics, /healthz, /readyz and the admin API; 0 picks a free one (tests). @default - the config's exporter.port */
  readonly port: number;
  /** Where the app's readings come from. @default - the config's exporter.source */
  readonly source: SourceKind;
  /** The app's own /metrics, on localhost only; required when source is "scrape". @default - none */
  readonly scrapeUrl?: string;
  /** The agent's check interval; freshness and the scrape period derive from it. @default - the config's heap.checkIntervalSeconds */
  readonly checkIntervalSeconds: number;
  /** The bearer token file (the mounted Secret). @default - the config's exporter.snapshots.tokenSecretKey in TOKEN_MOUNT_DIR */
  readonly tokenFile: string;
  /** Snapshot files kept in the volume, the pre-restart one included. @default - the config's exporter.snapshots.maxKept */
  readonly snapshotMaxKept: number;
  /** Minimum seconds between two requested snapshots. @default - the config's exporter.snapshots.cooldown */
  readonly snapshotCooldownSeconds: number;
  /** The shared volume's size limit (emptyDir sizeLimit). @default - the config's exporter.snapshots.volumeSizeLimit */
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

/** The config's defaults (src/config/defaults.ts), for a sidecar started without the constructs' env. */
const E = DEFAULT_CONFIG.exporter;
const DEFAULTS = {
  port: E.port,
  source: E.source,
  checkIntervalSeconds: DEFAULT_CONFIG.heap.checkIntervalSeconds,
  tokenFile: path.posix.join(TOKEN_MOUNT_DIR, E.snapshots.tokenSecretKey),
  snapshotMaxKept: E.snapshots.maxKept,
  snapshotCooldownSeconds: parseDuration(E.snapshots.cooldown)!,
  snapshotVolumeLimitBytes: parseQuantity(E.snapshots.volumeSizeLimit)!,
} as const;

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

  const port = number(EXPORTER_ENV.port, DEFAULTS.port, 0, 65535, true);

  const sourceRaw = get(EXPORTER_ENV.source) ?? DEFAULTS.source;
  let source: SourceKind = DEFAULTS.source;
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

  const checkIntervalSeconds = number(EXPORTER_ENV.checkIntervalSeconds, DEFAULTS.checkIntervalSeconds, 0.1, 3600, false);

  const tokenFile = get(EXPORTER_ENV.tokenFile) ?? DEFAULTS.tokenFile;
  if (!path.isAbsolute(tokenFile)) bad(EXPORTER_ENV.tokenFile, tokenFile, 'must be an absolute path (the mounted Secret file)');

  const snapshotMaxKept = number(EXPORTER_ENV.snapshotMaxKept, DEFAULTS.snapshotMaxKept, 1, 100, true);
  const snapshotCooldownSeconds = number(EXPORTER_ENV.snapshotCooldownSeconds, DEFAULTS.snapshotCooldownSeconds, 0, 86400, false);
  const snapshotVolumeLimitBytes = number(EXPORTER_ENV.snapshotVolumeLimitBytes, DEFAULTS.snapshotVolumeLimitBytes, 1, Number.MAX_SAFE_INTEGER, true);
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
