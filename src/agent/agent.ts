/**
 * The active agent: wires the parts together and runs the check every interval. Each concern
 * lives in its own module with its own state (streak, GC recorder, forced GC, snapshots, the
 * reading file, the socket, /livez); this file owns only the order of a check and the one
 * promise to the app: a fault anywhere disables the agent once and never reaches the app.
 */
import * as v8 from 'node:v8';
import { AllocationProfiler } from './allocation-profile';
import type { AgentReading } from '../contract';
import { GcForcer } from './forced-gc';
import { GcRecorder } from './gc-recorder';
import { EventLoopLag } from './event-loop-lag';
import { guarded } from './guard';
import { startLivenessServer } from './liveness-server';
import { serveLeanMetrics } from './metrics-server';
import { errorText, log, logOnce, pct, round4 } from './log';
import { buildReading, ReadingFile, ReadingSources } from './reading';
import { writeRestartMarker } from './restart-marker';
import { HeapSample, sampleHeap } from './sample';
import { AgentSettings } from './settings';
import { maxOldSpaceBytes, nearOldSpaceLimit } from './old-space';
import { memoryLimit, Snapshots } from './snapshots';
import { AgentSocket } from './socket';
import { LivenessSpread, livenessSpread, Streak, StreakEvent } from './streak';

/** globalThis[Symbol.for('heapwatch.agent')]: whether this process is watched, and if not, why. */
export interface AgentState {
  active: boolean;
  reason: string | null;
  readonly pid: number;
}

/**
 * Near the old-space limit, a forced GC waits until the app has run this many times the longest
 * recent full-GC pause since the last full GC. V8 aborts the process ("Ineffective mark-compacts
 * near heap limit") after 4 full GCs in a row above 80 % of the old space whose running average
 * leaves the app under 40 % of the time; after such a spell one more GC leaves it over 60 % even
 * if the app ran not at all before, so V8 counts it as effective and starts its count again.
 */
const FORCED_GC_QUIET_PAUSES = 4;

/**
 * How long the liveness check waits for that spell, as a share of the interval (so the next
 * check is not held up); then V8's own full GC since the last check is the one whose result counts.
 */
const QUIET_WAIT_SHARE = 0.5;

/**
 * Forced GCs are at most one per interval; timers drift, so "an interval" is counted from
 * this share of it (a check 990 ms after the last GC at a 1 s interval still gets one).
 */
const FORCED_GC_MIN_SPACING = 0.5;

/** Which full GC a check's verdict rests on. */
type FullGcSource = 'forced' | 'v8' | null;

export class Agent {
  /** Process start, epoch seconds (the readings' and the marker's startTime). */
  readonly startTime = Math.round(Date.now() - process.uptime() * 1000) / 1000;
  private readonly streak: Streak;
  private readonly spread: LivenessSpread;
  private readonly gcRecorder = new GcRecorder();
  private readonly gcForcer = new GcForcer();
  private readonly lag = new EventLoopLag();
  private readonly snapshots: Snapshots;
  private readonly profiler: AllocationProfiler;
  private readonly readingFile: ReadingFile;
  private readonly socket: AgentSocket;
  private readonly readingSources: ReadingSources;
  private readonly maxOldSpace = maxOldSpaceBytes(process.execArgv, process.env.NODE_OPTIONS);
  private interval: NodeJS.Timeout | null = null;
  private disabled = false;
  private checking = false;
  private lastForcedGcAt = -Infinity;
  /** The full GC the last high check's verdict rested on. */
  private decidedBy: FullGcSource = null;
  private markerWritten = false;
  private lastRatio = 0;
  /** The last check whose verdict is in: /livez answers with it, not with a check still waiting for its GC. */
  private decided = { streak: 0, checks: 0, ratio: 0 };
  /** When the last check finished (performance.now() ms). */
  private lastCheckEndMs = -Infinity;
  /** The check that started the streak whose liveness check forced its GC (near the limit, one per streak). */
  private forcedFor = -1;
  private lastReading: AgentReading | null = null;

  constructor(private readonly settings: AgentSettings, private readonly state: AgentState) {
    this.spread = livenessSpread(settings.podName, settings);
    this.streak = new Streak({ ...settings, livenessFailChecks: settings.livenessFailChecks + this.spread.extraChecks });
    this.snapshots = new Snapshots(settings);
    this.profiler = new AllocationProfiler(settings);
    this.readingFile = new ReadingFile(settings.dir);
    this.socket = new AgentSocket(settings.dir, this.snapshots, this.profiler, this.guard, () => this.readingFile.write());
    this.readingSources = {
      startTime: this.startTime, streak: this.streak, gcRecorder: this.gcRecorder, gcForcer: this.gcForcer, containerMemoryLimit: memoryLimit(settings), profiler: this.profiler,
    };
  }

  /** Wraps a callback so that a fault in it disables the agent instead of reaching the app. */
  readonly guard = <A extends unknown[], R>(fn: (...args: A) => R) => guarded((err) => this.disable(err), fn);

  start(): void {
    try {
      this.gcRecorder.start((err) => this.disable(err));
    } catch (err) {
      logOnce('gc-observer', 'warn', 'GC pauses are not recorded: a gc PerformanceObserver does not work here', { error: errorText(err) });
    }
    this.lag.start();
    this.profiler.start();
    startLivenessServer(this.settings.livenessPort, () => ({
      livenessFailing: this.streak.livenessFailing, disabled: this.disabled, ...this.decided,
    }));
    this.guard(() => this.socket.start())();
    const metricsPort = this.settings.metricsPort;
    if (metricsPort !== null) {
      this.guard(() => serveLeanMetrics({
        port: metricsPort, dir: this.settings.dir, checkIntervalSeconds: this.settings.checkIntervalSeconds,
        process: { pid: process.pid, startTime: this.startTime }, state: () => ({ reading: this.lastReading, disabled: this.disabled }),
      }))();
    }
    this.interval = setInterval(this.guard(() => this.check()), Math.round(this.settings.checkIntervalSeconds * 1000));
    this.interval.unref();
    setImmediate(this.guard(() => this.check())).unref();
    process.on('exit', () => {
      if (!this.socket.publishing()) return;
      this.socket.remove();
      this.readingFile.remove();
    });
    const s = this.settings;
    log('info', 'heapwatch agent watching this process', {
      intervalSeconds: s.checkIntervalSeconds, highRatio: s.highRatio, ratioBasis: s.ratioBasis,
      streakAlertChecks: s.streakAlertChecks, livenessFailChecks: s.livenessFailChecks,
      livenessSpread: { podName: s.podName, ...this.spread, failsAt: this.streak.failChecks },
      livenessPort: s.livenessPort, metricsPort: s.metricsPort, dir: s.dir, nodeVersion: process.version, allocationProfile: this.profiler.running,
    });
  }

  /** Stops everything but /livez, which keeps answering 200: a broken agent must not get the app restarted. */
  private disable(err: unknown): void {
    if (this.disabled) return;
    this.disabled = true;
    this.state.active = false;
    this.state.reason = 'disabled-after-fault';
    log('error', 'heapwatch agent disabled after an internal fault; the app is not affected', { error: errorText(err), stack: (err as Error | null)?.stack });
    try {
      if (this.interval) clearInterval(this.interval);
      this.gcRecorder.stop();
      this.lag.stop();
      this.profiler.stop();
      this.socket.close();
    } catch {
      // Best effort.
    }
  }

  /** Whether the heap is over the threshold with `used` bytes of it in use (after a GC). */
  private highAfter(used: number): boolean {
    const h = v8.getHeapStatistics();
    return (this.settings.ratioBasis === 'total' ? used / h.total_heap_size : used / h.heap_size_limit) > this.settings.highRatio;
  }

  private check(): void {
    if (this.disabled || this.checking) return;
    this.checking = true;
    const s = sampleHeap();
    const ratio = s.heapUsed / s.heapLimit;
    const totalRatio = s.heapUsed / s.heapTotal;
    this.lastRatio = this.settings.ratioBasis === 'total' ? totalRatio : ratio;
    const high = this.lastRatio > this.settings.highRatio;
    for (const event of this.streak.record(high)) this.logStreak(event, s, ratio);

    const finish = (stillHigh: boolean) => {
      this.checking = false;
      this.lastCheckEndMs = performance.now();
      this.decideLiveness(stillHigh, s, ratio);
      this.decided = { streak: this.streak.streak, checks: this.streak.checks, ratio: this.lastRatio };
      this.profiler.refreshSites();
      const reading = buildReading(this.readingSources, s, ratio, totalRatio, this.lag.takeP99Seconds());
      this.lastReading = reading;
      this.readingFile.update(reading, this.socket.publishing());
    };
    // A full GC on each high check, at most once per interval: it tells a busy heap (garbage
    // not yet collected, then the next check is low) from a full one, and liveness relies on it.
    // Near the old-space limit, where V8 may abort on ineffective GCs, see afterFullGc.
    const now = Date.now();
    if (high && now - this.lastForcedGcAt >= this.settings.checkIntervalSeconds * 1000 * FORCED_GC_MIN_SPACING && this.gcForcer.available()) {
      this.lastForcedGcAt = now;
      if (!nearOldSpaceLimit(s.heapUsed, this.maxOldSpace)) return finish(this.forceGc() ?? true);
      const streakStart = this.streak.checks - this.streak.streak;
      const mayForce = this.streak.mayStartFailing(process.uptime()) && this.forcedFor !== streakStart;
      this.afterFullGc(performance.now() + this.settings.checkIntervalSeconds * 1000 * QUIET_WAIT_SHARE, mayForce ? streakStart : null, finish);
    } else {
      finish(high);
    }
  }

  /**
   * Near the old-space limit: calls done(stillHigh) with the verdict of one full GC. The check
   * that can start failing /livez forces one, once per streak (forStreak), once the app has run
   * FORCED_GC_QUIET_PAUSES pauses since the last full GC; any other check, or that one if V8
   * keeps collecting, takes a full GC of V8's own since the last check, and without one /livez
   * stays as it is. First lets the GCs V8 just ran reach the GC observer.
   */
  private afterFullGc(deadlineMs: number, forStreak: number | null, done: (stillHigh: boolean) => void): void {
    afterGcEntries(this.guard(() => {
      const rec = this.gcRecorder;
      const now = performance.now();
      const quietMs = forStreak === null ? 0 : rec.quietInMs(FORCED_GC_QUIET_PAUSES, now);
      if (quietMs > 0 && now + quietMs <= deadlineMs) {
        setTimeout(this.guard(() => this.afterFullGc(deadlineMs, forStreak, done)), Math.ceil(quietMs)).unref();
        return;
      }
      const stillHigh = forStreak !== null && quietMs === 0 ? this.forceGc() : null;
      if (stillHigh !== null) {
        this.forcedFor = forStreak!;
        return done(stillHigh);
      }
      if (quietMs > 0) {
        logOnce('gc:v8-collecting', 'info', "No forced GC at the liveness count: V8 collects back to back; its own full GC since the last check decides, else /livez stays as it is", {
          sinceLastFullGcMs: Math.round(now - (rec.lastMajorEndMs ?? now)),
        });
      }
      const last = rec.liveAfterGc;
      const fresh = last !== null && (rec.lastMajorEndMs ?? -Infinity) > this.lastCheckEndMs;
      this.decidedBy = fresh ? 'v8' : null;
      return done(fresh ? this.highAfter(last) : this.streak.livenessFailing);
    }));
  }

  /** One forced GC: whether the heap is still high after it, or null when none could run. */
  private forceGc(): boolean | null {
    const gc = this.gcForcer.run();
    if (gc === null) return null;
    this.gcRecorder.noteForced(performance.now(), gc.pauseMs, gc.usedAfter);
    this.decidedBy = 'forced';
    return this.highAfter(gc.usedAfter);
  }

  private logStreak(event: StreakEvent, s: HeapSample, ratio: number): void {
    const { streak, previous } = this.streak;
    const { highRatio, ratioBasis } = this.settings;
    const fields = { streak, ratio: round4(ratio), heapUsed: s.heapUsed, heapLimit: s.heapLimit, heapTotal: s.heapTotal, highRatio, ratioBasis };
    if (event === 'went-high') log('warn', `High heap usage: ${pct(this.lastRatio)} of the heap ${ratioBasis} is above ${pct(highRatio)}`, fields);
    if (event === 'persistent') log('error', `Persistent high memory usage detected for ${streak} consecutive checks. Service restart recommended.`, fields);
    if (event === 'recovered') log('info', `Heap usage back under ${pct(highRatio)} after ${previous} consecutive high checks`, fields);
  }

  private decideLiveness(stillHigh: boolean, s: HeapSample, ratio: number): void {
    const change = this.streak.decideLiveness(stillHigh, process.uptime());
    const { streak } = this.streak;
    if (change === 'started-failing') {
      if (!this.markerWritten) {
        this.markerWritten = true;
        writeRestartMarker(this.settings, this.snapshots, this.profiler, this.startTime, streak, s, ratio);
      }
      const gcNote = this.decidedBy === 'forced' ? ' and a forced full GC' : this.decidedBy === 'v8' ? " and V8's own full GC" : '';
      log('error', `Liveness failing: heap still above ${pct(this.settings.highRatio)} after ${streak} consecutive high checks${gcNote}; the kubelet will restart the app`, {
        streak, ratio: round4(ratio), fullGc: this.decidedBy, liveAfterGc: this.gcRecorder.liveAfterGc, forcedGc: this.gcForcer.count,
      });
    } else if (change === 'passing-again') {
      log('info', 'Liveness passing again: heap back under the threshold', { streak, ratio: round4(ratio) });
    }
  }
}

/**
 * Calls fn once the GC entries already pending have reached the recorder: Node hands a GC to
 * a PerformanceObserver through a native then a JS immediate, so a few immediates later.
 */
function afterGcEntries(fn: () => void, hops = 3): void {
  setImmediate(() => (hops > 1 ? afterGcEntries(fn, hops - 1) : fn())).unref();
}
