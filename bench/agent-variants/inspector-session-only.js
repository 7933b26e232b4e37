'use strict';
// Stand-in for the agent (not shipped): an in-process inspector session with the HeapProfiler
// domain enabled, as the live allocation profile keeps open, but no sampling.
const inspector = require('node:inspector');
const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.enable');
