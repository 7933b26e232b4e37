/**
 * The agent's logging: one JSON line per event on stderr, so it never mixes with the app's
 * stdout protocol, and never throws (stderr may be closed).
 */

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

/** The `source` field of every line, so a log pipeline (and the tests) can pick the agent's lines out. */
export const LOG_SOURCE = 'heapwatch-agent';

const loggedOnce = new Set<string>();

export function log(level: LogLevel, msg: string, fields?: LogFields): void {
  try {
    const line = { level, msg, source: LOG_SOURCE, pid: process.pid, time: new Date().toISOString() };
    process.stderr.write(JSON.stringify(Object.assign(line, fields)) + '\n');
  } catch {
    // Logging must never hurt the app either.
  }
}

/** Logs the first event under `key` only: a fault that repeats every check is logged once. */
export function logOnce(key: string, level: LogLevel, msg: string, fields?: LogFields): void {
  if (loggedOnce.has(key)) return;
  loggedOnce.add(key);
  log(level, msg, fields);
}

export function errorText(err: unknown): string {
  return err instanceof Error && err.message ? err.message : String(err);
}

export function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

export function round4(n: number): number {
  return Math.round(n * 10000) / 10000;
}

export function pct(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10} %`;
}
