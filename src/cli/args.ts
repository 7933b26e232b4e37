/**
 * The command line of the `heapwatch` bin. Every problem is reported at once, each naming the
 * argument, the value given and what is allowed; the bin exits 2 on any of them.
 */
import { type FetchCommand, FETCH_USAGE, parseFetchArgs } from './fetch-args';
import { readOptions, UsageError, wholeNumber } from './options';

export { UsageError };

export const USAGE = `usage:
  heapwatch report FILE.heapsnapshot
      constructors by retained size and count, and the dominator chain of the largest retainer
  heapwatch report BEFORE.heapsnapshot AFTER.heapsnapshot
      what grew between two snapshots of one process
  heapwatch report FILE.heapprofile
      the top live allocation sites, each with its callers

${FETCH_USAGE}

report options:
  --top N      rows per table (default 8, 1 to 100)
  --cwd DIR    show a profile's file paths relative to DIR (the app's working directory, e.g. /app)
  -h, --help   this text

Parsing a heap snapshot takes about 5 times the file's size plus 200 MiB of memory: run it on a
laptop or in a Job, never in the app's pod.`;

export const DEFAULT_TOP = 8;
const MAX_TOP = 100;

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'report'; readonly files: readonly string[]; readonly top: number; readonly cwd?: string }
  | FetchCommand;

/** Parses argv (without node and the script); throws UsageError listing every problem. */
export function parseArgs(argv: readonly string[]): Command {
  const problems: string[] = [];
  const command = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : undefined;
  const rest = command === undefined ? argv : argv.slice(1);
  if (command === 'fetch') return parseFetchArgs(rest);
  const o = readOptions(rest, { '--top': 'N', '--cwd': 'DIR' }, ['-h', '--help'], problems);
  if (o.flags.size > 0 || command === 'help') return { kind: 'help' };
  const top = wholeNumber(o, '--top', 1, MAX_TOP, DEFAULT_TOP, problems);
  const cwd = o.values.get('--cwd');
  if (cwd !== undefined && !cwd.startsWith('/')) problems.push(`--cwd (${JSON.stringify(cwd)}) must be an absolute path, the app's working directory (e.g. /app)`);
  const files = o.positional;
  if (command === undefined) problems.unshift('a command is required; allowed: report, fetch');
  else if (command !== 'report') problems.unshift(`unknown command ${JSON.stringify(command)}; allowed: report, fetch`);
  else if (files.length === 0 || files.length > 2) {
    problems.push(`report takes 1 or 2 files (FILE.heapsnapshot, BEFORE AFTER .heapsnapshot, or FILE.heapprofile), got ${files.length}${files.length > 2 ? `: ${files.join(' ')}` : ''}`);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return { kind: 'report', files, top, cwd };
}
