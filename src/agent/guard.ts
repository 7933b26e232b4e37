/**
 * Guarding: every timer and callback of the agent runs through `guarded`, so a fault anywhere
 * disables the agent (once, through `onFault`) instead of reaching the app.
 */

export type OnFault = (err: unknown) => void;

export function guarded<A extends unknown[], R>(onFault: OnFault, fn: (...args: A) => R): (...args: A) => R | undefined {
  return (...args: A) => {
    try {
      return fn(...args);
    } catch (err) {
      onFault(err);
      return undefined;
    }
  };
}
