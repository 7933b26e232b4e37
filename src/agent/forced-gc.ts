/**
 * Forced GC: global.gc when the app runs with --expose-gc, else an in-process inspector
 * session (no port, no flag). Both report the heap used before and after.
 */
import type * as Inspector from 'node:inspector';
import * as v8 from 'node:v8';
import { errorText, log, logOnce } from './log';

export type ForcedGcMethod = 'global.gc' | 'inspector';

export class GcForcer {
  /** Forced GCs run so far. */
  count = 0;
  /** Heap used before the last forced GC minus after it, never negative. */
  lastReclaimedBytes = 0;
  private method: ForcedGcMethod | null = null;
  /** null: not loaded yet; false: unusable (Node built without it, or it failed). */
  private inspector: typeof Inspector | null | false = null;

  available(): boolean {
    if (typeof globalGc() === 'function') return true;
    if (this.inspector === null) {
      try {
        // Loaded on first use only: most apps never need a forced GC.
        const inspector = require('node:inspector') as typeof Inspector;
        this.inspector = typeof inspector.Session === 'function' ? inspector : false;
      } catch {
        this.inspector = false; // Node built without the inspector.
      }
    }
    return this.inspector !== false;
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
    if (!this.available() || this.inspector === null || this.inspector === false) {
      done(null);
      return;
    }
    this.announce('inspector', 'Forcing garbage collection through an in-process inspector session (no port opened)');
    const session = new this.inspector.Session();
    session.connect();
    // In-process sessions answer asynchronously; the GC has run when the callback comes.
    session.post('HeapProfiler.collectGarbage', (err: Error | null) => {
      // Disconnecting inside the session's own callback deadlocks the event loop (Node 20
      // and 24): close it once the dispatch has returned.
      setImmediate(() => {
        try {
          session.disconnect();
        } catch {
          // Already closed.
        }
      });
      if (err) {
        logOnce('gc:inspector', 'warn', 'Forced GC through the inspector failed; deciding liveness without it', { error: errorText(err) });
        this.inspector = false;
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
