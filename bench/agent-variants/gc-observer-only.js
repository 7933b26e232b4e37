'use strict';
// bench:agent variant: only the agent's gc PerformanceObserver, with the same work in its
// callback (pauses added up by kind; the heap used read after a major GC).
const { PerformanceObserver, constants } = require('perf_hooks');
const v8 = require('v8');

const gc = {};
let liveAfterGc = null;
new PerformanceObserver((list) => {
  let major = false;
  for (const entry of list.getEntries()) {
    const kind = entry.detail.kind;
    const h = gc[kind] || (gc[kind] = { count: 0, sum: 0 });
    h.count++;
    h.sum += entry.duration / 1000;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) major = true;
  }
  if (major) liveAfterGc = v8.getHeapStatistics().used_heap_size;
}).observe({ entryTypes: ['gc'] });
// Keep the results reachable, as the agent's check would read them.
setInterval(() => { globalThis.heapwatchBenchVariant = { gc, liveAfterGc }; }, 15000).unref();
