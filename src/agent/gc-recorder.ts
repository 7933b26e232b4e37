/**
 * GC pauses by kind, cumulative, and the heap used right after the last major GC, from a
 * PerformanceObserver('gc'). Its callback runs shortly after each batch of GCs, adds up
 * durations and, after a major GC, reads the heap used: that GC's result to within what the
 * app allocated meanwhile. It also keeps when the last full GC ended and the recent full-GC
 * pauses (the agent's forced ones included), which say when one more full GC is safe.
 *
 * Not v8.GCProfiler, although it records in C++: it costs more per GC and more per check to read
 * (bench/README.md, "The GC observer, not v8.GCProfiler").
 */
import * as perfHooks from 'node:perf_hooks';
import * as v8 from 'node:v8';
import { GC_BUCKETS_SECONDS, GcKind } from '../contract';
import { guarded, OnFault } from './guard';

/** How many recent full-GC pauses quietInMs() takes the longest of. */
const MAJOR_PAUSES_KEPT = 4;

export interface GcHistogram {
  /** Counts per GC_BUCKETS_SECONDS bucket, cumulative like Prometheus `le`. */
  readonly buckets: number[];
  count: number;
  sum: number;
}

export class GcRecorder {
  readonly gc: Partial<Record<GcKind, GcHistogram>> = {};
  /** Heap used right after the last major GC, or null before the first one. */
  liveAfterGc: number | null = null;
  /** When the last full GC ended (performance.now() ms), or null before the first one. */
  lastMajorEndMs: number | null = null;
  private readonly majorPauses: number[] = [];
  /** The agent's last forced GC (performance.now() ms), so the observer does not note it twice. */
  private forced: { startMs: number; endMs: number } | null = null;
  private observer: perfHooks.PerformanceObserver | null = null;
  private readonly kinds = gcKinds();

  record(kind: GcKind, seconds: number): void {
    let h = this.gc[kind];
    if (h === undefined) h = this.gc[kind] = { buckets: GC_BUCKETS_SECONDS.map(() => 0), count: 0, sum: 0 };
    for (let i = 0; i < GC_BUCKETS_SECONDS.length; i++) if (seconds <= GC_BUCKETS_SECONDS[i]) h.buckets[i]++;
    h.count++;
    h.sum += seconds;
  }

  start(onFault: OnFault): void {
    this.observer = new perfHooks.PerformanceObserver(guarded(onFault, (list: perfHooks.PerformanceObserverEntryList) => {
      let major = false;
      for (const entry of list.getEntries()) {
        const kind = this.kinds.get((entry as { detail?: perfHooks.NodeGCPerformanceDetail }).detail?.kind ?? -1);
        if (kind === undefined) continue;
        this.record(kind, entry.duration / 1000);
        if (kind !== 'major') continue;
        major = true;
        const endMs = entry.startTime + entry.duration;
        const f = this.forced;
        if (f === null || entry.startTime < f.startMs - 1 || endMs > f.endMs + 1) this.noteMajor(endMs, entry.duration);
      }
      if (major) this.liveAfterGc = v8.getHeapStatistics().used_heap_size;
    }));
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** A full GC that ended at endMs (performance.now()) after pausing the app pauseMs. */
  noteMajor(endMs: number, pauseMs: number): void {
    this.lastMajorEndMs = Math.max(this.lastMajorEndMs ?? endMs, endMs);
    this.majorPauses.push(pauseMs);
    if (this.majorPauses.length > MAJOR_PAUSES_KEPT) this.majorPauses.shift();
  }

  /** The agent's own forced GC, noted at once: the observer reports it later, maybe after the next check. */
  noteForced(endMs: number, pauseMs: number, usedAfter: number): void {
    this.forced = { startMs: endMs - pauseMs, endMs };
    this.noteMajor(endMs, pauseMs);
    this.liveAfterGc = usedAfter;
  }

  /**
   * How long until the app will have run `factor` times the longest recent full-GC pause since
   * the last full GC ended (0: it has, or no full GC ran yet). V8 averages the share of time
   * its full GCs leave the app; one more GC after such a spell keeps that share high.
   */
  quietInMs(factor: number, nowMs: number): number {
    if (this.lastMajorEndMs === null) return 0;
    // The agent's own last forced GC always counts: a full GC of the whole heap at once, where
    // the observer sees only the final pause of V8's incremental ones.
    const forcedMs = this.forced === null ? 0 : this.forced.endMs - this.forced.startMs;
    return Math.max(0, this.lastMajorEndMs + factor * Math.max(forcedMs, ...this.majorPauses) - nowMs);
  }

  stop(): void {
    this.observer?.disconnect();
  }
}

/** perf_hooks' GC kind constants to the contract's kind names (entry.detail.kind, Node 16+). */
function gcKinds(): Map<number, GcKind> {
  const c = perfHooks.constants as typeof perfHooks.constants & { NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP?: number };
  const kinds = new Map<number, GcKind>([
    [c.NODE_PERFORMANCE_GC_MAJOR, 'major'],
    [c.NODE_PERFORMANCE_GC_MINOR, 'minor'],
    [c.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
    [c.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
  ]);
  if (c.NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP !== undefined) kinds.set(c.NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP, 'minor');
  return kinds;
}
