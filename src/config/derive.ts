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
  return {
    appMemoryLimitBytes,
    maxOldSpaceSizeMiB: toMiB(appMemoryLimitBytes * c.heap.oldSpaceLimitRatio),
    streakAlertDuration: formatDuration(c.heap.streakAlertChecks * interval),
    livenessFailDuration: c.heap.livenessFailChecks > 0 ? formatDuration(c.heap.livenessFailChecks * interval) : undefined,
    checkInterval: formatDuration(interval),
  };
}

/** The runbook URL of one alert: the base URL plus "/<AlertName>.md". */
export function runbookUrl(c: HeapwatchConfig, alertName: string): string {
  return `${c.alerts.runbookBaseUrl.replace(/\/+$/, '')}/${alertName}.md`;
}
