/**
 * The agent's settings, from the environment the constructs set (AGENT_ENV). An invalid value
 * is logged once, naming the variable, the value and what is allowed, and the default is used:
 * a typo must not take the app down.
 */
import { DEFAULT_CONFIG, SAMPLING_INTERVAL_BYTES_RANGE } from '../config/defaults';
import { AGENT_ENV, ALLOCATION_SITES, INSPECTOR_PORT, livenessToleranceSeconds, SHARED_DIR } from '../contract';
import { logOnce } from './log';

export type RatioBasis = 'limit' | 'total';

export interface AgentSettings {
  readonly dir: string;
  readonly checkIntervalSeconds: number;
  readonly highRatio: number;
  readonly ratioBasis: RatioBasis;
  readonly streakAlertChecks: number;
  readonly livenessFailChecks: number;
  readonly livenessPort: number;
  readonly startupGraceSeconds: number;
  readonly snapshotBeforeRestart: boolean;
  /** null: unknown (the agent then asks the cgroup). */
  readonly containerMemoryLimitBytes: number | null;
  readonly livenessToleranceSeconds: number;
  /** The live allocation profile (V8's sampling heap profiler) runs. */
  readonly allocationProfile: boolean;
  /** Its mean bytes between two samples. */
  readonly allocationSamplingIntervalBytes: number;
  /** Seconds between two refreshes of the reading's top allocation sites. */
  readonly allocationSitesRefreshSeconds: number;
  /** null: not known (no spread of the liveness fail count). */
  readonly podName: string | null;
  /** null: the agent serves no /metrics (a sidecar does). Set in lean mode. */
  readonly metricsPort: number | null;
}

/** The config's defaults (src/config/defaults.ts), for a process started without the constructs' env. */
export const DEFAULTS: AgentSettings = {
  dir: SHARED_DIR,
  checkIntervalSeconds: DEFAULT_CONFIG.heap.checkIntervalSeconds,
  highRatio: DEFAULT_CONFIG.heap.highRatio,
  ratioBasis: DEFAULT_CONFIG.heap.ratioBasis,
  streakAlertChecks: DEFAULT_CONFIG.heap.streakAlertChecks,
  livenessFailChecks: DEFAULT_CONFIG.heap.livenessFailChecks,
  livenessPort: DEFAULT_CONFIG.app.livenessPort,
  startupGraceSeconds: DEFAULT_CONFIG.heap.startupGraceSeconds,
  snapshotBeforeRestart: DEFAULT_CONFIG.heap.snapshotBeforeRestart,
  containerMemoryLimitBytes: null,
  livenessToleranceSeconds: livenessToleranceSeconds(),
  allocationProfile: DEFAULT_CONFIG.heap.allocationProfile.enabled,
  allocationSamplingIntervalBytes: DEFAULT_CONFIG.heap.allocationProfile.samplingIntervalBytes,
  allocationSitesRefreshSeconds: ALLOCATION_SITES.refreshSeconds,
  podName: null,
  metricsPort: null,
};

/**
 * The config keeps the check interval >= 1 s; the agent accepts down to this so tests can
 * run many checks quickly.
 */
export const MIN_INTERVAL_SECONDS = 0.05;

interface Rule<T> {
  /** The value, or undefined when `raw` (trimmed, not empty) is not allowed. */
  readonly parse: (raw: string) => T | undefined;
  readonly allowed: string;
}

const num = (test: (n: number) => boolean) => (raw: string): number | undefined => {
  const n = Number(raw);
  return Number.isFinite(n) && test(n) ? n : undefined;
};
const int = (test: (n: number) => boolean) => num((n) => Number.isInteger(n) && test(n));
const port = int((n) => n >= 1 && n <= 65535 && n !== INSPECTOR_PORT);
const PORT_ALLOWED = `an integer port from 1 to 65535, not ${INSPECTOR_PORT} (the inspector's)`;
const BOOLEANS = new Map([['true', true], ['false', false], ['1', true], ['0', false]]);

const RULES: { readonly [K in keyof AgentSettings]: Rule<AgentSettings[K]> } = {
  dir: { parse: (raw) => raw, allowed: 'a directory path' },
  checkIntervalSeconds: {
    parse: num((n) => n >= MIN_INTERVAL_SECONDS && n <= 86400),
    allowed: `a number of seconds from ${MIN_INTERVAL_SECONDS} to 86400 (the config keeps >= 1; smaller values are for tests)`,
  },
  highRatio: { parse: num((n) => n > 0 && n <= 1), allowed: 'a number in (0, 1]' },
  ratioBasis: { parse: (raw) => (raw === 'limit' || raw === 'total' ? raw : undefined), allowed: '"limit" or "total"' },
  streakAlertChecks: { parse: int((n) => n >= 1), allowed: 'an integer >= 1' },
  livenessFailChecks: { parse: int((n) => n >= 0), allowed: 'an integer >= 0 (0 disables liveness failures)' },
  livenessPort: { parse: port, allowed: PORT_ALLOWED },
  startupGraceSeconds: { parse: num((n) => n >= 0), allowed: 'a number of seconds >= 0' },
  snapshotBeforeRestart: { parse: (raw) => BOOLEANS.get(raw.toLowerCase()), allowed: '"true" or "false"' },
  containerMemoryLimitBytes: { parse: int((n) => n > 0), allowed: 'a positive integer number of bytes (unset when unknown)' },
  livenessToleranceSeconds: { parse: num((n) => n > 0), allowed: 'a positive number of seconds' },
  allocationProfile: { parse: (raw) => BOOLEANS.get(raw.toLowerCase()), allowed: '"true" or "false"' },
  allocationSamplingIntervalBytes: {
    parse: int((n) => n >= SAMPLING_INTERVAL_BYTES_RANGE.min && n <= SAMPLING_INTERVAL_BYTES_RANGE.max),
    allowed: `an integer number of bytes from ${SAMPLING_INTERVAL_BYTES_RANGE.min} to ${SAMPLING_INTERVAL_BYTES_RANGE.max}`,
  },
  allocationSitesRefreshSeconds: {
    parse: num((n) => n >= MIN_INTERVAL_SECONDS && n <= 86400),
    allowed: `a number of seconds from ${MIN_INTERVAL_SECONDS} to 86400 (the constructs leave it at ${ALLOCATION_SITES.refreshSeconds}; smaller values are for tests)`,
  },
  podName: { parse: (raw) => raw, allowed: "the pod's name" },
  metricsPort: { parse: port, allowed: `${PORT_ALLOWED} (unset: no /metrics from the agent)` },
};

function readOne<K extends keyof AgentSettings>(env: NodeJS.ProcessEnv, key: K): AgentSettings[K] {
  const name = AGENT_ENV[key];
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return DEFAULTS[key];
  const rule = RULES[key];
  const value = rule.parse(raw.trim());
  if (value !== undefined) return value;
  logOnce(`env:${name}`, 'warn', `Invalid ${name}; using the default`, { variable: name, value: raw, allowed: rule.allowed, default: DEFAULTS[key] });
  return DEFAULTS[key];
}

export function readSettings(env: NodeJS.ProcessEnv): AgentSettings {
  const settings: Partial<Record<keyof AgentSettings, unknown>> = {};
  for (const key of Object.keys(RULES) as Array<keyof AgentSettings>) settings[key] = readOne(env, key);
  return settings as unknown as AgentSettings;
}
