/**
 * The in-process inspector (node:inspector's Session: no port, no flag), for the allocation
 * profiler. Loaded on first use only: a process that does not profile never loads it.
 */
import type * as Inspector from 'node:inspector';

/** undefined: not loaded yet; null: unusable (Node built without it). */
let loaded: typeof Inspector | null | undefined;

export function inspectorAvailable(): boolean {
  if (loaded === undefined) {
    try {
      const inspector = require('node:inspector') as typeof Inspector;
      loaded = typeof inspector.Session === 'function' ? inspector : null;
    } catch {
      loaded = null; // Node built without the inspector.
    }
  }
  return loaded !== null;
}

/** A connected in-process session, or null when the inspector is unusable. */
export function openSession(): Inspector.Session | null {
  if (!inspectorAvailable() || !loaded) return null;
  const session = new loaded.Session();
  session.connect();
  return session;
}

/**
 * Disconnecting inside the session's own callback deadlocks the event loop (Node 20 and 24):
 * close it once the dispatch has returned.
 */
export function closeSessionSoon(session: Inspector.Session): void {
  setImmediate(() => {
    try {
      session.disconnect();
    } catch {
      // Already closed.
    }
  }).unref();
}

/**
 * Posts one command and returns its result. An in-process session on the main thread answers
 * inside post() (Node 20 and 24), which is what lets the profile be read and written in one
 * synchronous step, before /livez fails; a Node that answered later is an error here.
 */
export function postNow<T = unknown>(session: Inspector.Session, method: string, params?: object): T {
  let answered = false;
  let error: Error | null = null;
  let result: unknown;
  session.post(method, params ?? {}, (err: Error | null, res?: unknown) => {
    answered = true;
    error = err;
    result = res;
  });
  if (!answered) throw new Error(`the inspector did not answer ${method} synchronously`);
  if (error) throw error;
  return result as T;
}
