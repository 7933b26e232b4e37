'use strict';
/**
 * heapwatch agent: loaded into the user's Node.js process with
 *   NODE_OPTIONS="--require /heapwatch/heapwatch-agent.js --max-old-space-size=N"
 *
 * Plain CommonJS, no dependencies, Node 18+. It samples the V8 heap every check interval,
 * keeps the high-usage streak, serves /livez for the kubelet, writes heap snapshots into the
 * shared volume, publishes its latest reading to the exporter sidecar as a file in the shared
 * volume and answers the sidecar's snapshot requests over a unix socket there (newline-delimited
 * JSON; shapes in src/contract.ts: AgentReading, SnapshotRequest, SnapshotResult).
 *
 * Its one promise to the app: it never throws into it, never keeps it alive, never crashes
 * it. Every timer and callback is guarded; a fault disables the agent and logs once.
 *
 * Sections, top to bottom: names and defaults, logging, settings from the environment,
 * which process is watched, sampling, forced GC, snapshots, the check, the reading file and
 * the socket, /livez, start-up.
 */

const fs = require('fs');
const path = require('path');
const v8 = require('v8');

// ---------------------------------------------------------------------------------------
// Names (repeated from src/contract.ts, which this file cannot import; test/contract.test.ts
// compares them) and defaults (src/config/defaults.ts).

const ENV = {
  dir: 'HEAPWATCH_DIR',
  checkIntervalSeconds: 'HEAPWATCH_CHECK_INTERVAL_SECONDS',
  highRatio: 'HEAPWATCH_HIGH_RATIO',
  ratioBasis: 'HEAPWATCH_RATIO_BASIS',
  streakAlertChecks: 'HEAPWATCH_STREAK_ALERT_CHECKS',
  livenessFailChecks: 'HEAPWATCH_LIVENESS_FAIL_CHECKS',
  livenessPort: 'HEAPWATCH_LIVENESS_PORT',
  startupGraceSeconds: 'HEAPWATCH_STARTUP_GRACE_SECONDS',
  snapshotBeforeRestart: 'HEAPWATCH_SNAPSHOT_BEFORE_RESTART',
  containerMemoryLimitBytes: 'HEAPWATCH_CONTAINER_MEMORY_LIMIT_BYTES',
  livenessToleranceSeconds: 'HEAPWATCH_LIVENESS_TOLERANCE_SECONDS',
};

/** Set by the watched process; every process started under it inherits it and stays passive. */
const ACTIVE_PID_ENV = 'HEAPWATCH_AGENT_ACTIVE_PID';

const AGENT_SOCKET = 'agent.sock';
const READING_FILE = 'reading.json';
const SNAPSHOT_SUBDIR = 'snapshots';
const RESTART_MARKER = 'restart-marker.json';
const RESTART_REASON_HEAP_STREAK = 'heap_streak';
const GC_BUCKETS_SECONDS = [0.001, 0.01, 0.1, 1, 2, 5];
const INSPECTOR_PORT = 9229;

const DEFAULTS = {
  dir: '/heapwatch',
  checkIntervalSeconds: 15,
  highRatio: 0.85,
  ratioBasis: 'limit',
  streakAlertChecks: 20,
  livenessFailChecks: 60,
  livenessPort: 9465,
  startupGraceSeconds: 120,
  snapshotBeforeRestart: true,
  containerMemoryLimitBytes: null,
  // LIVENESS_PROBE: periodSeconds 10 * failureThreshold 3 + timeoutSeconds 5.
  livenessToleranceSeconds: 35,
};

/**
 * The config keeps the check interval >= 1 s; the agent accepts down to this so tests can
 * run many checks quickly.
 */
const MIN_INTERVAL_SECONDS = 0.05;

/**
 * Heap snapshot cost model. Cost follows the number of heap objects, not heap bytes, and
 * nothing cheap counts objects, so the count is estimated from the bytes outside the
 * large-object spaces (a large string or array there is one object however big) divided by
 * a small average object size. Measured with v8.writeHeapSnapshot on this project's build
 * machine (2 shared cores), Node 20.20 and 24.21:
 *   600k two-field objects (32 MiB used):  26 MiB heap non-large, 1.3-1.8 s, RSS +800-840 MiB, file 56-60 MiB
 *   1.5M two-field objects (75 MiB used):  60 MiB non-large,      6.4-6.9 s, RSS +1.95-2.0 GiB, file 137-146 MiB
 *   600k {number,string,array} (83 MiB):   76 MiB non-large,      3.8-8.2 s, RSS +1.17-1.3 GiB, file 149-163 MiB
 *   400 large strings/arrays:              ~0 non-large,           0.1 s,     RSS +32-40 MiB
 * Two-field objects average 42-46 bytes and are the worst case per byte (~1.4 KiB of RSS and
 * up to 4.6 us per object), so the model assumes them: an estimate that is too high refuses a
 * snapshot, one that is too low gets the container OOM-killed.
 */
const SNAPSHOT_MODEL = {
  bytesPerObject: 44,
  rssBytesPerObject: 1500,
  secondsPerObject: 5e-6,
  fileBytesPerObject: 110,
  /** Fixed part: the serializer's buffers and the snapshot's own bookkeeping. */
  rssBaseBytes: 48 * 1024 * 1024,
  /** Kept free under the container limit besides the estimate. */
  rssMarginBytes: 32 * 1024 * 1024,
  /** With no known memory limit, use at most this share of the machine's free memory. */
  unknownLimitFreeShare: 0.5,
};

/**
 * Forced GCs are at most one per interval; timers drift, so "an interval" is counted from
 * this share of it (a check 990 ms after the last GC at a 1 s interval still gets one).
 */
const FORCED_GC_MIN_SPACING = 0.5;

/**
 * Event-loop delay sampling period (ms). Every sample wakes the event loop, which on this
 * project's VMs costs ~50 us: 20 ms (50 wakeups/s) cost an idle app ~3 ms of CPU per second,
 * more than all the rest of the agent. 100 ms still gives >= 150 samples per 15 s interval
 * for the p99, and a blocked loop shows up whole in the tick it delays.
 */
const EVENT_LOOP_RESOLUTION_MS = 100;

/** A check still waiting for its forced GC after this many intervals is given up on. */
const STUCK_CHECK_INTERVALS = 5;

/** A reading socket whose client stopped reading is dropped past this much unsent data. */
const MAX_PENDING_WRITE_BYTES = 1024 * 1024;
/** An incoming line longer than this is not a SnapshotRequest; the client is dropped. */
const MAX_LINE_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------
// Logging: one JSON line per event on stderr, so it never mixes with the app's stdout protocol.

const loggedOnce = new Set();

function log(level, msg, fields) {
  try {
    const line = { level, msg, source: 'heapwatch-agent', pid: process.pid, time: new Date().toISOString() };
    process.stderr.write(JSON.stringify(Object.assign(line, fields)) + '\n');
  } catch (_) {
    // Logging must never hurt the app either (e.g. stderr closed).
  }
}

function logOnce(key, level, msg, fields) {
  if (loggedOnce.has(key)) return;
  loggedOnce.add(key);
  log(level, msg, fields);
}

function errorText(err) {
  return err && err.message ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------
// Settings from the environment. An invalid value is logged once, naming the variable, the
// value and what is allowed, and the default is used: a typo must not take the app down.

function readSettings(env) {
  const s = {};
  const take = (key, parse, allowed) => {
    const name = ENV[key];
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      s[key] = DEFAULTS[key];
      return;
    }
    const value = parse(raw.trim());
    if (value === undefined) {
      logOnce(`env:${name}`, 'warn', `Invalid ${name}; using the default`, {
        variable: name, value: raw, allowed, default: DEFAULTS[key],
      });
      s[key] = DEFAULTS[key];
    } else {
      s[key] = value;
    }
  };
  const num = (test) => (raw) => {
    const n = Number(raw);
    return Number.isFinite(n) && test(n) ? n : undefined;
  };
  const int = (test) => num((n) => Number.isInteger(n) && test(n));

  take('dir', (raw) => raw, 'a directory path');
  take('checkIntervalSeconds', num((n) => n >= MIN_INTERVAL_SECONDS && n <= 86400),
    `a number of seconds from ${MIN_INTERVAL_SECONDS} to 86400 (the config keeps >= 1; smaller values are for tests)`);
  take('highRatio', num((n) => n > 0 && n <= 1), 'a number in (0, 1]');
  take('ratioBasis', (raw) => (raw === 'limit' || raw === 'total' ? raw : undefined), '"limit" or "total"');
  take('streakAlertChecks', int((n) => n >= 1), 'an integer >= 1');
  take('livenessFailChecks', int((n) => n >= 0), 'an integer >= 0 (0 disables liveness failures)');
  take('livenessPort', int((n) => n >= 1 && n <= 65535 && n !== INSPECTOR_PORT),
    `an integer port from 1 to 65535, not ${INSPECTOR_PORT} (the inspector's)`);
  take('startupGraceSeconds', num((n) => n >= 0), 'a number of seconds >= 0');
  const BOOLEANS = new Map([['true', true], ['false', false], ['1', true], ['0', false]]);
  take('snapshotBeforeRestart', (raw) => BOOLEANS.get(raw.toLowerCase()), '"true" or "false"');
  take('containerMemoryLimitBytes', int((n) => n > 0), 'a positive integer number of bytes (unset when unknown)');
  take('livenessToleranceSeconds', num((n) => n > 0), 'a positive number of seconds');
  return s;
}

// ---------------------------------------------------------------------------------------
// Which process is watched: the app, not a package-manager wrapper, a worker thread, a
// cluster worker or a helper process started by an already watched process.

/** argv[1] of npm, npx, yarn, pnpm and corepack (their bin links, cli files and shims). */
const PACKAGE_MANAGER_SCRIPTS = [
  /(^|[\\/])(npm|npx|yarn|yarnpkg|pnpm|pnpx|corepack)(\.c?js|\.mjs)?$/,
  /(^|[\\/])(npm|npx)-cli\.js$/,
  /[\\/]\.yarn[\\/]releases[\\/]yarn-[^\\/]*\.c?js$/,
  /[\\/]node_modules[\\/](npm|yarn|pnpm|corepack)[\\/](bin|dist|shims)[\\/]/,
];

function passiveReason() {
  let isMainThread = true;
  try {
    isMainThread = require('worker_threads').isMainThread;
  } catch (_) {
    // No worker_threads: there is only the main thread.
  }
  if (!isMainThread) return 'worker-thread';
  // Node removes NODE_UNIQUE_ID from the env before preloading; the cluster module knows.
  if (require('cluster').isWorker === true) return 'cluster-worker';
  const activePid = process.env[ACTIVE_PID_ENV];
  if (activePid !== undefined && activePid !== '' && activePid !== String(process.pid)) return 'started-under-active-agent';
  const script = process.argv[1];
  if (typeof script === 'string' && PACKAGE_MANAGER_SCRIPTS.some((re) => re.test(script))) return 'package-manager';
  return null;
}

// ---------------------------------------------------------------------------------------
// Sampling.

function largeObjectBytes(spaces) {
  let bytes = 0;
  for (const name of Object.keys(spaces)) if (name.includes('large_object')) bytes += spaces[name];
  return bytes;
}

/**
 * GC pauses by kind, cumulative, and the heap used right after the last major GC, from a
 * PerformanceObserver('gc'). Its callback runs shortly after each batch of GCs, adds up
 * durations and, after a major GC, reads the heap used: that GC's result to within what the
 * app allocated meanwhile.
 *
 * Not v8.GCProfiler, although it records in C++: measured here in an allocation loop, it cost
 * more per GC (33 against 21 µs on Node 20, 44 against 36 µs on Node 24) and 175 µs more per
 * check to read. (An earlier version blamed the observer for a heap near its limit collecting
 * back to back on Node 24. Measured again, 1 MiB more live objects and no agent at all does
 * the same in a third of runs; neither GC source changes it.)
 */
function createGcRecorder(perfHooks) {
  const gc = {};
  const recorder = { gc, liveAfterGc: null };

  const record = (kindName, seconds) => {
    let h = gc[kindName];
    if (h === undefined) h = gc[kindName] = { buckets: GC_BUCKETS_SECONDS.map(() => 0), count: 0, sum: 0 };
    for (let i = 0; i < GC_BUCKETS_SECONDS.length; i++) if (seconds <= GC_BUCKETS_SECONDS[i]) h.buckets[i]++;
    h.count++;
    h.sum += seconds;
  };

  const c = perfHooks.constants;
  const kinds = {};
  kinds[c.NODE_PERFORMANCE_GC_MAJOR] = 'major';
  kinds[c.NODE_PERFORMANCE_GC_MINOR] = 'minor';
  if (c.NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP !== undefined) kinds[c.NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP] = 'minor';
  kinds[c.NODE_PERFORMANCE_GC_INCREMENTAL] = 'incremental';
  kinds[c.NODE_PERFORMANCE_GC_WEAKCB] = 'weakcb';
  let observer = null;

  recorder.start = (onFault) => {
    observer = new perfHooks.PerformanceObserver(guarded(onFault, (list) => {
      let major = false;
      for (const entry of list.getEntries()) {
        // entry.detail since Node 16; reading entry.kind there prints a deprecation warning.
        const name = kinds[entry.detail ? entry.detail.kind : entry.kind];
        if (name === undefined) continue;
        record(name, entry.duration / 1000);
        if (name === 'major') major = true;
      }
      if (major) recorder.liveAfterGc = v8.getHeapStatistics().used_heap_size;
    }));
    observer.observe({ entryTypes: ['gc'] });
  };

  recorder.stop = () => {
    if (observer) observer.disconnect();
  };
  return recorder;
}

function sampleHeap() {
  const hs = v8.getHeapStatistics();
  const mu = process.memoryUsage();
  const spaces = {};
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

// ---------------------------------------------------------------------------------------
// Forced GC: global.gc when the app runs with --expose-gc, else an in-process inspector
// session (no port, no flag). Both report the heap used before and after.

function createGcForcer() {
  let method = null;
  let inspector = null;
  const forcer = { count: 0, lastReclaimedBytes: 0, method: () => method };

  forcer.available = () => {
    if (typeof global.gc === 'function') return true;
    if (inspector === null) {
      try {
        inspector = require('inspector');
        if (typeof inspector.Session !== 'function') inspector = false;
      } catch (_) {
        inspector = false; // Node built without the inspector.
      }
    }
    return inspector !== false;
  };

  /** Runs one full GC and calls done(usedAfter) (or done(null) when none could run). */
  forcer.run = (done) => {
    const before = v8.getHeapStatistics().used_heap_size;
    const finish = () => {
      const after = v8.getHeapStatistics().used_heap_size;
      forcer.count++;
      forcer.lastReclaimedBytes = Math.max(0, before - after);
      done(after);
    };
    if (typeof global.gc === 'function') {
      if (method !== 'global.gc') log('info', 'Forcing garbage collection with global.gc', { method: 'global.gc' });
      method = 'global.gc';
      global.gc();
      finish();
      return;
    }
    if (!forcer.available()) {
      done(null);
      return;
    }
    if (method !== 'inspector') log('info', 'Forcing garbage collection through an in-process inspector session (no port opened)', { method: 'inspector' });
    method = 'inspector';
    const session = new inspector.Session();
    session.connect();
    // In-process sessions answer asynchronously; the GC has run when the callback comes.
    session.post('HeapProfiler.collectGarbage', (err) => {
      // Disconnecting inside the session's own callback deadlocks the event loop (Node 20
      // and 24): close it once the dispatch has returned.
      setImmediate(() => {
        try {
          session.disconnect();
        } catch (_) {
          // Already closed.
        }
      });
      if (err) {
        logOnce('gc:inspector', 'warn', 'Forced GC through the inspector failed; deciding liveness without it', { error: errorText(err) });
        inspector = false;
        done(null);
      } else {
        finish();
      }
    });
  };
  return forcer;
}

// ---------------------------------------------------------------------------------------
// Heap snapshots: only one at a time, only with room on the volume and in memory, and only
// when the pause (the event loop is blocked) stays well inside the liveness probe's tolerance.

const SNAPSHOT_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.heapsnapshot$/;

function estimateSnapshot(sample) {
  const large = largeObjectBytes(sample.spaces);
  const objects = Math.max(0, sample.heapUsed - large) / SNAPSHOT_MODEL.bytesPerObject;
  return {
    objects: Math.round(objects),
    rssRiseBytes: Math.round(SNAPSHOT_MODEL.rssBaseBytes + objects * SNAPSHOT_MODEL.rssBytesPerObject),
    seconds: objects * SNAPSHOT_MODEL.secondsPerObject,
    fileBytes: Math.round(objects * SNAPSHOT_MODEL.fileBytesPerObject + large),
  };
}

function memoryLimit(settings) {
  if (settings.containerMemoryLimitBytes !== null) return settings.containerMemoryLimitBytes;
  // The cgroup limit, when Node can see it (18.15+/19.6+); unconstrained reads as huge.
  try {
    const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
    if (constrained > 0 && constrained < require('os').totalmem()) return constrained;
  } catch (_) {
    // Fall through to unknown.
  }
  return null;
}

/** Returns null when a snapshot fits, else { reason, message }. */
function snapshotRefusal(settings, dir, sample) {
  const est = estimateSnapshot(sample);
  const maxSeconds = settings.livenessToleranceSeconds / 2;
  if (est.seconds > maxSeconds) {
    return { reason: 'too-slow', message: `estimated pause ${est.seconds.toFixed(1)} s for ~${est.objects} heap objects exceeds half of ${ENV.livenessToleranceSeconds} (${maxSeconds} s)` };
  }
  const limit = memoryLimit(settings);
  const room = limit !== null
    ? limit - sample.rss - SNAPSHOT_MODEL.rssMarginBytes
    : require('os').freemem() * SNAPSHOT_MODEL.unknownLimitFreeShare;
  if (est.rssRiseBytes > room) {
    const of = limit !== null ? `the container limit ${limit} B minus RSS ${sample.rss} B and a margin` : 'half of the free memory (container limit unknown)';
    return { reason: 'no-headroom', message: `estimated RSS rise ${est.rssRiseBytes} B for ~${est.objects} heap objects does not fit in ${of}` };
  }
  if (typeof fs.statfsSync === 'function') {
    const st = fs.statfsSync(dir);
    const free = st.bavail * st.bsize;
    if (est.fileBytes > free) {
      return { reason: 'no-headroom', message: `estimated file size ${est.fileBytes} B exceeds the free space ${free} B on ${dir}` };
    }
  }
  return null;
}

/**
 * Replaces a small file in the shared volume whole: written under a temporary name and renamed,
 * so the sidecar never reads half of it. Group-readable: the sidecar may run as another user
 * sharing the volume's fsGroup.
 */
function replaceFile(target, text) {
  const partial = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(partial, text, { mode: 0o640 });
  fs.renameSync(partial, target);
}

/** Writes the snapshot under a temporary name and renames it, so readers never see half a file. */
function writeSnapshot(dir, file) {
  const snapDir = path.join(dir, SNAPSHOT_SUBDIR);
  fs.mkdirSync(snapDir, { recursive: true });
  const target = path.join(snapDir, file);
  const partial = target + '.partial';
  const started = process.hrtime();
  try {
    v8.writeHeapSnapshot(partial);
    // V8 writes 0600; the sidecar serving downloads may be another user in the volume's fsGroup.
    fs.chmodSync(partial, 0o640);
    fs.renameSync(partial, target);
  } catch (err) {
    try {
      fs.unlinkSync(partial);
    } catch (_) {
      // Nothing was written.
    }
    throw err;
  }
  const [s, ns] = process.hrtime(started);
  return { file, bytes: fs.statSync(target).size, durationMs: Math.round(s * 1000 + ns / 1e6) };
}

// ---------------------------------------------------------------------------------------
// Guarding: a fault anywhere disables the agent (once) instead of reaching the app.

function guarded(onFault, fn) {
  return function guardedCallback() {
    try {
      return fn.apply(this, arguments);
    } catch (err) {
      onFault(err);
      return undefined;
    }
  };
}

// ---------------------------------------------------------------------------------------
// The agent.

function startAgent(settings, state) {
  const http = require('http');
  const net = require('net');
  const perfHooks = require('perf_hooks');

  const startTime = Math.round((Date.now() - process.uptime() * 1000)) / 1000;
  const limitForReading = memoryLimit(settings);
  const gcRecorder = createGcRecorder(perfHooks);
  const gcForcer = createGcForcer();
  let loopDelay = null;
  let interval = null;
  let disabled = false;
  let streak = 0;
  let checks = 0;
  let checking = false;
  let lastForcedGcAt = -Infinity;
  let livenessFailing = false;
  let markerWritten = false;
  let snapshotBusy = false;
  let lastReading = null;
  let lastRatio = 0;
  let livenessServer = null;
  let socketServer = null;
  let socketPath = null;
  const readingPath = path.join(settings.dir, READING_FILE);
  const clients = new Set();
  /** Whoever listens on the socket publishes the reading file: one publisher per shared volume. */
  const publishing = () => socketServer !== null && socketServer.listening;

  const disable = (err) => {
    if (disabled) return;
    disabled = true;
    state.active = false;
    state.reason = 'disabled-after-fault';
    log('error', 'heapwatch agent disabled after an internal fault; the app is not affected', { error: errorText(err), stack: err && err.stack });
    try {
      if (interval) clearInterval(interval);
      gcRecorder.stop();
      if (loopDelay) loopDelay.disable();
      for (const c of clients) c.destroy();
      if (socketServer) socketServer.close();
    } catch (_) {
      // Best effort. /livez keeps answering 200: a broken agent must not get the app restarted.
    }
  };
  const guard = (fn) => guarded(disable, fn);

  // --- the check ---------------------------------------------------------------------

  const highOf = (used, limit, total) => (settings.ratioBasis === 'total' ? used / total : used / limit) > settings.highRatio;

  let checkStartedAt = 0;
  const check = () => {
    if (disabled) return;
    if (checking) {
      // A forced GC whose answer never came must not stop the checks for good.
      if (Date.now() - checkStartedAt < STUCK_CHECK_INTERVALS * settings.checkIntervalSeconds * 1000) return;
      logOnce('check:stuck', 'warn', 'A forced GC did not answer; checks go on without waiting for it');
    }
    checking = true;
    checkStartedAt = Date.now();
    checks++;
    const s = sampleHeap();
    const ratio = s.heapUsed / s.heapLimit;
    const totalRatio = s.heapUsed / s.heapTotal;
    lastRatio = settings.ratioBasis === 'total' ? totalRatio : ratio;
    const high = lastRatio > settings.highRatio;
    const previousStreak = streak;
    streak = high ? streak + 1 : 0;
    logStreak(previousStreak, s, ratio);

    const finish = (stillHigh) => {
      checking = false;
      decideLiveness(stillHigh, s, ratio);
      publishReading(s, ratio, totalRatio);
    };
    // Forced GC when the streak grows, at most once per interval: it tells a busy heap
    // (garbage not yet collected) from a full one, and liveness relies on it.
    const now = Date.now();
    if (high && now - lastForcedGcAt >= settings.checkIntervalSeconds * 1000 * FORCED_GC_MIN_SPACING && gcForcer.available()) {
      lastForcedGcAt = now;
      gcForcer.run(guard((usedAfter) => {
        if (usedAfter === null) return finish(true);
        const after = v8.getHeapStatistics();
        finish(highOf(usedAfter, after.heap_size_limit, after.total_heap_size));
      }));
    } else {
      finish(high);
    }
  };

  const logStreak = (previous, s, ratio) => {
    const fields = { streak, ratio: round4(ratio), heapUsed: s.heapUsed, heapLimit: s.heapLimit, heapTotal: s.heapTotal, highRatio: settings.highRatio, ratioBasis: settings.ratioBasis };
    if (streak === 1) log('warn', `High heap usage: ${pct(lastRatio)} of the heap ${settings.ratioBasis} is above ${pct(settings.highRatio)}`, fields);
    if (streak >= settings.streakAlertChecks && (streak - settings.streakAlertChecks) % settings.streakAlertChecks === 0) {
      log('error', `Persistent high memory usage detected for ${streak} consecutive checks. Service restart recommended.`, fields);
    }
    if (streak === 0 && previous >= settings.streakAlertChecks) {
      log('info', `Heap usage back under ${pct(settings.highRatio)} after ${previous} consecutive high checks`, fields);
    }
  };

  const decideLiveness = (stillHigh, s, ratio) => {
    const graceOver = process.uptime() >= settings.startupGraceSeconds;
    const fail = settings.livenessFailChecks > 0 && streak >= settings.livenessFailChecks && stillHigh && graceOver;
    if (fail && !livenessFailing) {
      if (!markerWritten) writeRestartMarker(s, ratio);
      log('error', `Liveness failing: heap still above ${pct(settings.highRatio)} after ${streak} consecutive high checks${gcForcer.count > 0 ? ' and a forced GC' : ''}; the kubelet will restart the app`, { streak, ratio: round4(ratio), manualGc: gcForcer.count });
    } else if (!fail && livenessFailing) {
      log('info', 'Liveness passing again: heap back under the threshold', { streak, ratio: round4(ratio) });
    }
    livenessFailing = fail;
  };

  const writeRestartMarker = (s, ratio) => {
    markerWritten = true;
    let snapshot = null;
    if (settings.snapshotBeforeRestart) {
      try {
        const refusal = snapshotRefusal(settings, settings.dir, s);
        if (refusal !== null) {
          log('warn', 'No pre-restart heap snapshot: ' + refusal.message, { reason: refusal.reason });
        } else if (!snapshotBusy) {
          snapshotBusy = true;
          try {
            const stamp = new Date().toISOString().replace(/[:.]/g, '-');
            snapshot = writeSnapshot(settings.dir, `heap-${stamp}-${process.pid}-prerestart.heapsnapshot`).file;
          } finally {
            snapshotBusy = false;
          }
        }
      } catch (err) {
        log('warn', 'Pre-restart heap snapshot failed', { error: errorText(err) });
      }
    }
    const marker = { reason: RESTART_REASON_HEAP_STREAK, pid: process.pid, startTime, at: Date.now(), streak, ratio: round4(ratio), heapUsed: s.heapUsed, heapLimit: s.heapLimit, snapshot };
    const target = path.join(settings.dir, RESTART_MARKER);
    try {
      replaceFile(target, JSON.stringify(marker) + '\n');
    } catch (err) {
      logOnce('marker', 'warn', `Could not write the restart marker ${target}`, { error: errorText(err) });
    }
  };

  // --- the reading file and the socket ---------------------------------------------------
  //
  // Each check's reading replaces READING_FILE; the sidecar reads it from the shared volume.
  // Not a write on the socket: measured by `npm run bench:agent` (250 req/s, Node 20 / 24),
  // the agent with readings on a connected socket cost the app +2.3 / +3.9 % CPU per request
  // at a 15 s interval, with readings in a file +2.2 / +2.1 % (at 1 s: +15 / +14 % against
  // +6.5 / +8.6 %). The socket's writes go through the same Node stream code as the app's
  // HTTP responses, and `--trace-deopt` shows that code deoptimized (wrong map) whenever a
  // reading went out on it. So the socket carries only the rare snapshot requests and results.

  const buildReading = (s, ratio, totalRatio) => {
    let lag = 0;
    if (loopDelay) {
      const p99 = loopDelay.percentile(99);
      lag = Number.isFinite(p99) ? p99 / 1e9 : 0;
      loopDelay.reset();
    }
    return {
      type: 'reading',
      pid: process.pid,
      startTime,
      ts: Date.now(),
      nodeVersion: process.version,
      heapUsed: s.heapUsed,
      heapTotal: s.heapTotal,
      heapLimit: s.heapLimit,
      external: s.external,
      arrayBuffers: s.arrayBuffers,
      rss: s.rss,
      spaces: s.spaces,
      ratio,
      totalRatio,
      streak,
      liveAfterGc: gcRecorder.liveAfterGc,
      gc: gcRecorder.gc,
      eventLoopLagP99: lag,
      manualGc: { count: gcForcer.count, lastReclaimedBytes: gcForcer.lastReclaimedBytes },
      livenessFailing,
      containerMemoryLimit: limitForReading,
    };
  };

  const publishReading = (s, ratio, totalRatio) => {
    lastReading = buildReading(s, ratio, totalRatio);
    if (publishing()) writeReadingFile();
  };

  const writeReadingFile = () => {
    try {
      replaceFile(readingPath, JSON.stringify(lastReading) + '\n');
    } catch (err) {
      logOnce('reading-file', 'warn', `Cannot write readings to ${readingPath}; sampling and /livez go on`, { file: readingPath, error: errorText(err), code: err && err.code });
    }
  };

  const send = (client, line) => {
    if (client.destroyed) return clients.delete(client);
    if (client.writableLength > MAX_PENDING_WRITE_BYTES) {
      clients.delete(client);
      client.destroy();
      return undefined;
    }
    client.write(line);
    return undefined;
  };

  const onClient = (client) => {
    client.unref();
    clients.add(client);
    client.setEncoding('utf8');
    let buffered = '';
    client.on('error', () => clients.delete(client));
    client.on('close', () => clients.delete(client));
    client.on('data', guard((chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line !== '') onMessage(client, line);
      }
      if (buffered.length > MAX_LINE_BYTES) {
        logOnce('socket:long-line', 'warn', `Dropped a socket client that sent a line over ${MAX_LINE_BYTES} bytes`);
        clients.delete(client);
        client.destroy();
      }
    }));
  };

  const onMessage = (client, line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (_) {
      logOnce('socket:bad-json', 'warn', 'Ignored a socket line that is not JSON', { line: line.slice(0, 80) });
      return;
    }
    if (msg === null || typeof msg !== 'object' || msg.type !== 'snapshot') {
      logOnce('socket:bad-type', 'warn', 'Ignored a socket message whose type is not "snapshot"', { type: msg && msg.type });
      return;
    }
    onSnapshotRequest(client, msg);
  };

  const onSnapshotRequest = (client, msg) => {
    const id = typeof msg.id === 'string' && msg.id.length > 0 && msg.id.length <= 200 ? msg.id : null;
    const reply = (result) => send(client, JSON.stringify(Object.assign({ type: 'snapshot-result', id: id === null ? String(msg.id) : id }, result)) + '\n');
    if (id === null) {
      return reply({ ok: false, reason: 'error', message: `'id' (${JSON.stringify(msg.id)}) must be a string of 1 to 200 characters` });
    }
    if (typeof msg.file !== 'string' || !SNAPSHOT_FILE.test(msg.file)) {
      return reply({ ok: false, reason: 'error', message: `'file' (${JSON.stringify(msg.file)}) must be a plain file name (letters, digits, ".", "_", "-", no path separators) ending in .heapsnapshot` });
    }
    if (snapshotBusy) return reply({ ok: false, reason: 'busy', message: 'another heap snapshot is being written' });
    let refusal;
    try {
      refusal = snapshotRefusal(settings, settings.dir, sampleHeap());
    } catch (err) {
      // E.g. the volume cannot be inspected: a failed request, not a reason to stop watching.
      return reply({ ok: false, reason: 'error', message: errorText(err) });
    }
    if (refusal !== null) {
      log('warn', `Refused a heap snapshot: ${refusal.message}`, { id, reason: refusal.reason });
      return reply(Object.assign({ ok: false }, refusal));
    }
    snapshotBusy = true;
    // Let the event loop finish what it is doing (this reply path, other sockets) before it blocks.
    setImmediate(guard(() => {
      try {
        const written = writeSnapshot(settings.dir, msg.file);
        log('info', 'Heap snapshot written', { id, file: written.file, bytes: written.bytes, durationMs: written.durationMs });
        reply(Object.assign({ ok: true }, written));
      } catch (err) {
        log('warn', 'Heap snapshot failed', { id, error: errorText(err) });
        reply({ ok: false, reason: 'error', message: errorText(err) });
      } finally {
        snapshotBusy = false;
      }
    }));
    return undefined;
  };

  const startPublisher = () => {
    const wanted = path.join(settings.dir, AGENT_SOCKET);
    socketPath = wanted;
    const fail = (err) => logOnce('socket', 'warn', `Not publishing readings: cannot listen on ${wanted}; the app is not affected`, { socket: wanted, error: errorText(err), code: err && err.code });
    const listen = () => {
      socketServer = net.createServer(guard(onClient));
      socketServer.on('error', (err) => {
        socketPath = null;
        fail(err);
      });
      socketServer.listen(socketPath, guard(() => {
        // Group access: the sidecar may run as another user sharing the volume's fsGroup.
        try {
          fs.chmodSync(socketPath, 0o660);
        } catch (_) {
          // Keep the default mode.
        }
        if (lastReading !== null) writeReadingFile();
      }));
      socketServer.unref();
    };
    let st = null;
    try {
      st = fs.lstatSync(socketPath);
    } catch (err) {
      if (err.code !== 'ENOENT') return fail(err);
    }
    if (st === null) return listen();
    if (!st.isSocket()) return fail(new Error(`${socketPath} exists and is not a socket`));
    // A socket file is left over from a previous process, or another watched process is
    // publishing: only a socket nobody answers on is stale and replaced.
    const probe = net.connect(socketPath);
    probe.unref();
    probe.on('connect', () => {
      probe.destroy();
      socketPath = null;
      logOnce('socket:taken', 'warn', 'Another heapwatch agent already publishes on the socket; this process is not published', { socket: path.join(settings.dir, AGENT_SOCKET) });
    });
    probe.on('error', guard(() => {
      try {
        fs.unlinkSync(socketPath);
      } catch (err) {
        if (err.code !== 'ENOENT') return fail(err);
      }
      return listen();
    }));
    return undefined;
  };

  // --- /livez ------------------------------------------------------------------------

  const startLiveness = () => {
    livenessServer = http.createServer((req, res) => {
      try {
        const url = req.url === undefined ? '' : req.url.split('?')[0];
        if (url !== '/livez' || (req.method !== 'GET' && req.method !== 'HEAD')) {
          res.writeHead(404, { 'content-type': 'text/plain', connection: 'close' });
          res.end('not found\n');
          return;
        }
        const failing = livenessFailing && !disabled;
        const body = JSON.stringify({ status: disabled ? 'disabled' : failing ? 'failing' : 'ok', streak, checks, ratio: round4(lastRatio) }) + '\n';
        res.writeHead(failing ? 503 : 200, { 'content-type': 'application/json', connection: 'close' });
        res.end(body);
      } catch (_) {
        try {
          res.destroy();
        } catch (__) {
          // Nothing more to do.
        }
      }
    });
    livenessServer.on('error', (err) => {
      logOnce('liveness', 'warn', `Not serving /livez: port ${settings.livenessPort} is not available; sampling continues`, { port: settings.livenessPort, error: errorText(err), code: err && err.code });
    });
    livenessServer.on('clientError', (_err, socket) => socket.destroy());
    livenessServer.listen(settings.livenessPort, '0.0.0.0');
    livenessServer.unref();
  };

  // --- start ---------------------------------------------------------------------------

  try {
    gcRecorder.start(disable);
  } catch (err) {
    logOnce('gc-observer', 'warn', 'GC pauses are not recorded: a gc PerformanceObserver does not work here', { error: errorText(err) });
  }
  try {
    loopDelay = perfHooks.monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    loopDelay.enable();
  } catch (_) {
    loopDelay = null;
  }
  startLiveness();
  guard(startPublisher)();
  interval = setInterval(guard(check), Math.round(settings.checkIntervalSeconds * 1000));
  interval.unref();
  setImmediate(guard(check)).unref();
  process.on('exit', () => {
    if (!publishing()) return;
    for (const file of [socketPath, readingPath]) {
      try {
        fs.unlinkSync(file);
      } catch (_) {
        // Gone already.
      }
    }
  });
  log('info', 'heapwatch agent watching this process', {
    intervalSeconds: settings.checkIntervalSeconds, highRatio: settings.highRatio, ratioBasis: settings.ratioBasis,
    streakAlertChecks: settings.streakAlertChecks, livenessFailChecks: settings.livenessFailChecks,
    livenessPort: settings.livenessPort, dir: settings.dir, nodeVersion: process.version,
  });
}

function round4(n) {
  return Math.round(n * 10000) / 10000;
}

function pct(ratio) {
  return `${Math.round(ratio * 1000) / 10} %`;
}

// ---------------------------------------------------------------------------------------
// Start-up. `state` is on a global symbol so a second --require of this file is a no-op and
// tests can ask a process whether (and why not) it is watched.

const STATE_KEY = Symbol.for('heapwatch.agent');

(function main() {
  try {
    if (global[STATE_KEY] !== undefined) return;
    const state = { active: false, reason: null, pid: process.pid };
    global[STATE_KEY] = state;
    const reason = passiveReason();
    if (reason !== null) {
      state.reason = reason;
      return;
    }
    const settings = readSettings(process.env);
    state.active = true;
    process.env[ACTIVE_PID_ENV] = String(process.pid);
    startAgent(settings, state);
  } catch (err) {
    logOnce('start', 'error', 'heapwatch agent did not start; the app is not affected', { error: errorText(err) });
  }
})();

module.exports = {
  ENV, ACTIVE_PID_ENV, DEFAULTS, SNAPSHOT_MODEL,
  FILES: { socket: AGENT_SOCKET, reading: READING_FILE, snapshots: SNAPSHOT_SUBDIR, restartMarker: RESTART_MARKER },
};
