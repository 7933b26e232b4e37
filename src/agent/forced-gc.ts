/**
 * Forced GC: exactly one full GC, by global.gc when the app runs with --expose-gc, else by the
 * same `gc` function taken from a fresh vm context (no flag on the command line, no port).
 *
 * Not the inspector's HeapProfiler.collectGarbage: that is V8's LowMemoryNotification, which
 * runs 2 to 7 full GCs back to back (until the root count is stable), and near the heap limit
 * V8 aborts the process after 4 full GCs in a row that leave the app under 40 % of the time.
 * One GC after a quiet spell (see Agent) is one V8 counts as effective.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { errorText, log, logOnce } from './log';

export type ForcedGcMethod = 'global.gc' | 'vm-context';

/** The result of one forced GC. */
export interface ForcedGc {
  /** Heap used right after it. */
  readonly usedAfter: number;
  /** How long it blocked the app, ms. */
  readonly pauseMs: number;
}

export class GcForcer {
  /** Forced GCs run so far. */
  count = 0;
  /** Heap used before the last forced GC minus after it, never negative. */
  lastReclaimedBytes = 0;
  private announced: ForcedGcMethod | null = null;
  /** The vm context's gc once taken; null when taking it failed (then no forced GC). */
  private contextGc: (() => void) | null | undefined;

  available(): boolean {
    return this.gcFunction() !== null;
  }

  /** Runs one full GC, or returns null when none can run here. */
  run(): ForcedGc | null {
    const gc = this.gcFunction();
    if (gc === null) return null;
    this.announce();
    const before = v8.getHeapStatistics().used_heap_size;
    const started = performance.now();
    gc();
    const pauseMs = performance.now() - started;
    const usedAfter = v8.getHeapStatistics().used_heap_size;
    this.count++;
    this.lastReclaimedBytes = Math.max(0, before - usedAfter);
    return { usedAfter, pauseMs };
  }

  private method(): ForcedGcMethod {
    return typeof globalGc() === 'function' ? 'global.gc' : 'vm-context';
  }

  private gcFunction(): (() => void) | null {
    const own = globalGc();
    if (typeof own === 'function') return own;
    if (this.contextGc === undefined) this.contextGc = takeContextGc();
    return this.contextGc;
  }

  private announce(): void {
    const method = this.method();
    if (this.announced === method) return;
    this.announced = method;
    const how = method === 'global.gc' ? 'global.gc (--expose-gc)' : "a vm context's gc (no flag, no port)";
    log('info', `Forcing one full garbage collection with ${how}`, { method });
  }
}

function globalGc(): (() => void) | undefined {
  return (globalThis as { gc?: () => void }).gc;
}

/**
 * V8 installs `gc` in the contexts created while --expose-gc is set: set it for the moment one
 * context is made, then unset it, so neither the app's global nor its later contexts get it
 * (what jest's leak detector does). The context stays alive with the function (~0.3 MiB).
 */
function takeContextGc(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    try {
      const gc: unknown = vm.runInNewContext('gc');
      if (typeof gc === 'function') return gc as () => void;
      throw new Error(`the new context's gc is a ${typeof gc}`);
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  } catch (err) {
    logOnce('gc:vm-context', 'warn', "No forced GC: a vm context's gc could not be taken; V8's own full GCs decide liveness", { error: errorText(err) });
    return null;
  }
}
