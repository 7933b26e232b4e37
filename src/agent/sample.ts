/** One sample of the V8 heap and the process's memory, taken at every check. */
import * as v8 from 'node:v8';
import type { AgentReading } from '../contract';

/** The reading's heap and memory fields, as one check samples them. */
export type HeapSample = Pick<AgentReading, 'heapUsed' | 'heapTotal' | 'heapLimit' | 'external' | 'arrayBuffers' | 'rss' | 'spaces'>;

export function sampleHeap(): HeapSample {
  const hs = v8.getHeapStatistics();
  const mu = process.memoryUsage();
  const spaces: Record<string, number> = {};
  for (const space of v8.getHeapSpaceStatistics()) spaces[space.space_name] = space.space_used_size;
  return {
    heapUsed: hs.used_heap_size,
    heapTotal: hs.total_heap_size,
    heapLimit: hs.heap_size_limit,
    external: mu.external,
    arrayBuffers: mu.arrayBuffers === undefined ? 0 : mu.arrayBuffers,
    rss: mu.rss,
    spaces,
  };
}

/** Bytes used in the large-object spaces (a large string or array there is one object however big). */
export function largeObjectBytes(spaces: Readonly<Record<string, number>>): number {
  let bytes = 0;
  for (const name of Object.keys(spaces)) if (name.includes('large_object')) bytes += spaces[name];
  return bytes;
}
