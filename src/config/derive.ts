import { formatDuration } from './duration';
import { parseQuantity, toMiB } from './quantity';
import { HeapwatchConfig } from './types';

/**
 * Values computed from the config, in one place so the Deployment, the agent's
 * environment, the rules and the dashboard can never disagree.
 */
export interface Derived {
  /** The app container's memory limit in bytes. */
  readonly appMemoryLimitBytes: number;
  /** --max-old-space-size, in MiB: oldSpaceLimitRatio of the container limit. */
  readonly maxOldSpaceSizeMiB: number;
  /** --max-semi-space-size, in MiB (heap.maxSemiSpaceMiB, or derived from the old space). */
  readonly maxSemiSpaceSizeMiB: number;
  /**
   * The highest heap used / heap_size_limit a process can reach before its old space is full:
   * heap_size_limit is the old space plus three semi-spaces of young generation.
   */
  readonly maxReachableRatio: number;
  /** How long a streak of streakAlertChecks lasts, e.g. "5m". */
  readonly streakAlertDuration: string;
  /** How long until liveness fails, e.g. "15m"; undefined when liveness restarts are disabled. */
  readonly livenessFailDuration?: string;
  /** The check interval as a Prometheus duration, e.g. "15s"; also the scrape interval. */
  readonly checkInterval: string;
}

export function derive(c: HeapwatchConfig): Derived {
  const appMemoryLimitBytes = parseQuantity(c.app.resources.memoryLimit)!;
  const interval = c.heap.checkIntervalSeconds;
  const maxOldSpaceSizeMiB = toMiB(appMemoryLimitBytes * c.heap.oldSpaceLimitRatio);
  const maxSemiSpaceSizeMiB = c.heap.maxSemiSpaceMiB ?? derivedSemiSpaceMiB(maxOldSpaceSizeMiB);
  return {
    appMemoryLimitBytes,
    maxOldSpaceSizeMiB,
    maxSemiSpaceSizeMiB,
    maxReachableRatio: maxOldSpaceSizeMiB / (maxOldSpaceSizeMiB + 3 * maxSemiSpaceSizeMiB),
    streakAlertDuration: formatDuration(c.heap.streakAlertChecks * interval),
    livenessFailDuration: c.heap.livenessFailChecks > 0 ? formatDuration(c.heap.livenessFailChecks * interval) : undefined,
    checkInterval: formatDuration(interval),
  };
}

/**
 * The largest power of two <= 16 MiB (Node 20's default) and <= old space / 32: small enough
 * that the young generation cannot push the heap limit out of the heap ratio's reach.
 */
export function derivedSemiSpaceMiB(oldSpaceMiB: number): number {
  let semi = 16;
  while (semi > 1 && semi > oldSpaceMiB / 32) semi /= 2;
  return semi;
}

/** The runbook URL of one alert: the base URL plus "/<AlertName>.md". */
export function runbookUrl(c: HeapwatchConfig, alertName: string): string {
  return `${c.alerts.runbookBaseUrl.replace(/\/+$/, '')}/${alertName}.md`;
}
