/**
 * Bounded polling: every wait in the demo and the e2e test goes through here, so a wait that
 * runs out says what it was waiting for and what it saw last, instead of hanging or sleeping.
 */

export interface PollOptions {
  /** Give up after this long. @default 30000 */
  readonly timeoutMs?: number;
  /** Time between two attempts. @default 250 */
  readonly intervalMs?: number;
}

/** Thrown when a poll runs out of time; `lastSeen` is the last observation, for the message. */
export class PollTimeout extends Error {
  constructor(readonly what: string, readonly timeoutMs: number, readonly lastSeen: string) {
    super(`timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${what}; last seen: ${lastSeen}`);
    this.name = 'PollTimeout';
  }
}

/** Thrown by an attempt to stop polling at once (the awaited thing can no longer happen). */
export class PollAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PollAbort';
  }
}

/** What one attempt found: `done` with a value, or not yet with a description of what was seen. */
export type Attempt<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly seen: string };

export const done = <T>(value: T): Attempt<T> => ({ done: true, value });
export const notYet = (seen: string): Attempt<never> => ({ done: false, seen });

/**
 * Runs `attempt` until it reports done, or throws PollTimeout naming `what` and the last
 * observation. An attempt that throws counts as "not yet" (a server still starting), and
 * its error is what was seen, except PollAbort, which ends the poll at once.
 */
export async function pollUntil<T>(what: string, attempt: () => Promise<Attempt<T>> | Attempt<T>, options: PollOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  let seen = 'nothing yet';
  for (;;) {
    try {
      const r = await attempt();
      if (r.done) return r.value;
      seen = r.seen;
    } catch (e) {
      if (e instanceof PollAbort) throw e;
      seen = `error: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (Date.now() >= deadline) throw new PollTimeout(what, timeoutMs, seen);
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
