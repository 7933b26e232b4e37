'use strict';
// Stand-in for the agent (not shipped): V8's sampling heap profiler as the agent starts it (an
// in-process inspector session, the default 512 KiB interval, collected objects dropped), never read.
const inspector = require('node:inspector');
const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', {
  samplingInterval: Number(process.env.HEAPWATCH_ALLOCATION_SAMPLING_INTERVAL_BYTES ?? 524288),
  includeObjectsCollectedByMajorGC: false,
  includeObjectsCollectedByMinorGC: false,
});
