/**
 * A metric family whose samples are computed at scrape time, registered in a prom-client
 * Registry as a custom collector (prom-client reads name, help, type and get()).
 * Unlike prom-client's Gauge, a family with nothing to report writes no sample at all
 * (a reset unlabelled Gauge would write 0, which for the app's heap would be a lie).
 */
import type { Metric, Registry } from 'prom-client';
import type { Sample } from '../metric-families';

export type { Sample };

export interface ComputedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly samples: () => readonly Sample[];
}

export function registerComputed(registry: Registry, family: ComputedFamily): void {
  const collector = {
    name: family.name,
    help: family.help,
    type: family.type,
    aggregator: 'sum',
    reset() {},
    get() {
      return { name: family.name, help: family.help, type: family.type, aggregator: 'sum', values: family.samples() };
    },
  };
  registry.registerMetric(collector as unknown as Metric);
}
