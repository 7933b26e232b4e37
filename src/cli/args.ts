/**
 * The command line of the `heapwatch` bin. Every problem is reported at once, each naming the
 * argument, the value given and what is allowed; the bin exits 2 on any of them.
 */

export const USAGE = `usage:
  heapwatch report FILE.heapsnapshot
      constructors by retained size and count, and the dominator chain of the largest retainer
  heapwatch report BEFORE.heapsnapshot AFTER.heapsnapshot
      what grew between two snapshots of one process
  heapwatch report FILE.heapprofile
      the top live allocation sites, each with its callers

options:
  --top N      rows per table (default 8, 1 to 100)
  --cwd DIR    show a profile's file paths relative to DIR (the app's working directory, e.g. /app)
  -h, --help   this text

Parsing a heap snapshot takes about 4 to 6 times the file's size in memory: run it on a laptop
or in a Job, never in the app's pod.`;

export const DEFAULT_TOP = 8;
const MAX_TOP = 100;

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'report'; readonly files: readonly string[]; readonly top: number; readonly cwd?: string };

export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'UsageError';
  }
}

/** Parses argv (without node and the script); throws UsageError listing every problem. */
export function parseArgs(argv: readonly string[]): Command {
  const problems: string[] = [];
  const positional: string[] = [];
  let top = DEFAULT_TOP;
  let cwd: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) {
        problems.push(`${flag} needs a value`);
        return undefined;
      }
      i++;
      return next;
    };
    if (flag === '-h' || flag === '--help') help = true;
    else if (flag === '--top') {
      const v = value();
      if (v !== undefined) {
        if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_TOP) top = Number(v);
        else problems.push(`--top (${JSON.stringify(v)}) must be a whole number from 1 to ${MAX_TOP}`);
      }
    } else if (flag === '--cwd') {
      const v = value();
      if (v !== undefined) {
        if (v.startsWith('/')) cwd = v;
        else problems.push(`--cwd (${JSON.stringify(v)}) must be an absolute path, the app's working directory (e.g. /app)`);
      }
    } else if (arg.startsWith('-') && arg !== '-') problems.push(`unknown option ${JSON.stringify(flag)}; allowed: --top N, --cwd DIR, --help`);
    else positional.push(arg);
  }
  if (help) return { kind: 'help' };
  const [command, ...files] = positional;
  if (command === undefined) problems.unshift('a command is required; allowed: report');
  else if (command === 'help') return { kind: 'help' };
  else if (command !== 'report') problems.unshift(`unknown command ${JSON.stringify(command)}; allowed: report`);
  else if (files.length === 0 || files.length > 2) {
    problems.push(`report takes 1 or 2 files (FILE.heapsnapshot, BEFORE AFTER .heapsnapshot, or FILE.heapprofile), got ${files.length}${files.length > 2 ? `: ${files.join(' ')}` : ''}`);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return { kind: 'report', files, top, cwd };
}
