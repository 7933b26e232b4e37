/**
 * Forced GC: global.gc when the app runs with --expose-gc, else an in-process inspector
 * session (no port, no flag). Both report the heap used before and after.
 */
import * as v8 from 'node:v8';
import { closeSessionSoon, inspectorAvailable, openSession } from './inspector-session';
import { errorText, log, logOnce } from './log';

export type ForcedGcMethod = 'global.gc' | 'inspector';

export class GcForcer {
  /** Forced GCs run so far. */
  count = 0;
  /** Heap used before the last forced GC minus after it, never negative. */
  lastReclaimedBytes = 0;
  private method: ForcedGcMethod | null = null;
  /** False once a forced GC through the inspector failed. */
  private inspectorWorks = true;

  available(): boolean {
    if (typeof globalGc() === 'function') return true;
    return this.inspectorWorks && inspectorAvailable();
  }

  /** Runs one full GC and calls done(usedAfter), or done(null) when none could run. */
  run(done: (usedAfter: number | null) => void): void {
    const before = v8.getHeapStatistics().used_heap_size;
    const finish = () => {
      const after = v8.getHeapStatistics().used_heap_size;
      this.count++;
      this.lastReclaimedBytes = Math.max(0, before - after);
      done(after);
    };
    const gc = globalGc();
    if (typeof gc === 'function') {
      this.announce('global.gc', 'Forcing garbage collection with global.gc');
      gc();
      finish();
      return;
    }
    const session = this.available() ? openSession() : null;
    if (session === null) {
      done(null);
      return;
    }
    this.announce('inspector', 'Forcing garbage collection through an in-process inspector session (no port opened)');
    // The GC has run when the callback comes.
    session.post('HeapProfiler.collectGarbage', (err: Error | null) => {
      closeSessionSoon(session);
      if (err) {
        logOnce('gc:inspector', 'warn', 'Forced GC through the inspector failed; deciding liveness without it', { error: errorText(err) });
        this.inspectorWorks = false;
        done(null);
      } else {
        finish();
      }
    });
  }

  private announce(method: ForcedGcMethod, msg: string): void {
    if (this.method !== method) log('info', msg, { method });
    this.method = method;
  }
}

function globalGc(): (() => void) | undefined {
  return (globalThis as { gc?: () => void }).gc;
}
