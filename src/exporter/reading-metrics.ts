/**
 * The app's metrics (the unprefixed standard names and heapwatch's per-app families),
 * computed at scrape time from the latest fresh agent reading. With no fresh reading every
 * family is empty: a stale value would look like a healthy app that stopped changing.
 * The families themselves are src/metric-families.ts, shared with the lean agent.
 */
import type { Registry } from 'prom-client';
import { AgentReading } from '../contract';
import { READING_FAMILIES } from '../metric-families';
import { registerComputed } from './computed-family';

/** The reading the metrics describe, or undefined when it is not fresh. */
export type CurrentReading = () => AgentReading | undefined;

export function registerReadingMetrics(registry: Registry, current: CurrentReading): void {
  for (const family of READING_FAMILIES) {
    registerComputed(registry, {
      name: family.name,
      help: family.help,
      type: family.type,
      samples: () => {
        const r = current();
        return r === undefined ? [] : family.samples(r);
      },
    });
  }
}
