'use strict';
// bench:agent variant: v8.GCProfiler in place of the gc PerformanceObserver. It records every
// GC in C++ (no JavaScript per GC); its JSON is read and folded every 15 s, as a check would.
const v8 = require('v8');

const gc = {};
let liveAfterGc = null;
let profiler = new v8.GCProfiler();
profiler.start();
setInterval(() => {
  const data = profiler.stop();
  profiler = new v8.GCProfiler();
  profiler.start();
  for (const s of data.statistics) {
    const h = gc[s.gcType] || (gc[s.gcType] = { count: 0, sum: 0 });
    h.count++;
    h.sum += s.cost / 1e6;
    if (s.gcType === 'MarkSweepCompact') liveAfterGc = s.afterGC.heapStatistics.usedHeapSize;
  }
  globalThis.heapwatchBenchVariant = { gc, liveAfterGc };
}, 15000).unref();
