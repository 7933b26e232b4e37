/**
 * Opening the files `heapwatch report` reads: which kind a file is (by its first bytes, not its
 * name), and the errors that name the file and say what was expected. Every failure here is a
 * ReportInputError, which the bin turns into exit code 1.
 */
import * as fs from 'node:fs';

export type InputKind = 'heapsnapshot' | 'heapprofile';

/** A file that cannot be read or is not what the report needs; the message names the file. */
export class ReportInputError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ReportInputError';
  }
}

/** How each kind begins: a V8 heap snapshot's first key is "snapshot" with its "meta"; a profile's "head". */
const SNAPSHOT_START = /^\s*\{\s*"snapshot"\s*:\s*\{\s*"meta"\s*:/;
const PROFILE_START = /^\s*\{\s*"head"\s*:\s*\{/;

/** What a file is, from its first kilobytes; throws ReportInputError for a missing, unreadable or other file. */
export function detectKind(file: string): InputKind {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new ReportInputError(file, describeOpenError(err));
  }
  try {
    if (fs.fstatSync(fd).isDirectory()) throw new ReportInputError(file, 'is a directory, not a .heapsnapshot or .heapprofile file');
    const head = Buffer.alloc(4096);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, read).toString('utf8');
    if (SNAPSHOT_START.test(text)) return 'heapsnapshot';
    if (PROFILE_START.test(text)) return 'heapprofile';
    throw new ReportInputError(file, read === 0
      ? 'is empty; expected a V8 heap snapshot (.heapsnapshot) or sampling heap profile (.heapprofile)'
      : 'is neither a V8 heap snapshot (.heapsnapshot, JSON starting {"snapshot":{"meta":...) nor a sampling heap profile (.heapprofile, JSON starting {"head":{...)');
  } finally {
    fs.closeSync(fd);
  }
}

function describeOpenError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot be opened (${(err as Error).message})`;
}

/**
 * Runs `work` (the parsing of `file`) and rejects with a ReportInputError when it fails or when
 * it can never finish. DevTools' snapshot loader starts parsing as the first bytes arrive and
 * its promise is awaited only after the last, so a bad header rejects with no handler yet (an
 * unhandled rejection, caught here while parsing); on a truncated file it waits for more input
 * forever, which shows as the event loop running empty while the promise is still pending.
 */
export async function parsing<T>(file: string, what: string, work: () => Promise<T>): Promise<T> {
  let onDrained: (() => void) | undefined;
  let onUnhandled: ((reason: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    onDrained = () => reject(new ReportInputError(file, `ends before the ${what} is complete (truncated or not a ${what})`));
    onUnhandled = (reason) => reject(reason);
    process.once('beforeExit', onDrained);
    process.on('unhandledRejection', onUnhandled);
    // The loader's promise gets its handler later, once the stream ends: that is not news.
    if (process.listenerCount('rejectionHandled') === 0) process.on('rejectionHandled', () => {});
  });
  try {
    return await Promise.race([work(), failed]);
  } catch (err) {
    if (err instanceof ReportInputError) throw err;
    throw new ReportInputError(file, `is not a readable ${what} (${(err as Error).message})`);
  } finally {
    if (onDrained) process.removeListener('beforeExit', onDrained);
    if (onUnhandled) process.removeListener('unhandledRejection', onUnhandled);
  }
}
