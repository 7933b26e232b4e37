import { HeapRatioBasis, ResolvedConfig } from '../config';
import { METRICS } from '../contract';

/**
 * The denominator of the alerting heap ratio (heap.ratioBasis): its metric, for threshold lines
 * that sit where the alerts fire, and its name, for titles and legends.
 */
export function heapBasis(config: ResolvedConfig): { readonly metric: string; readonly name: string } {
  return config.heap.ratioBasis === HeapRatioBasis.LIMIT
    ? { metric: METRICS.heapLimit, name: 'limit' }
    : { metric: METRICS.heapTotal, name: 'total' };
}
