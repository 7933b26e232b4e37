/**
 * The option loop every `heapwatch` command shares: `--name value` or `--name=value`, flags
 * without a value, positional arguments kept in order. Problems are collected, not thrown, so a
 * command reports all of them at once.
 */

export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'UsageError';
  }
}

export interface ParsedOptions {
  readonly values: Map<string, string>;
  readonly flags: Set<string>;
  readonly positional: string[];
}

/**
 * `valued`: options that take a value, each with the placeholder the usage shows (`{ '--top': 'N' }`);
 * `flags`: options that do not. Unknown options are problems naming what is allowed.
 */
export function readOptions(argv: readonly string[], valued: Readonly<Record<string, string>>, flags: readonly string[], problems: string[]): ParsedOptions {
  const out: ParsedOptions = { values: new Map(), flags: new Set(), positional: [] };
  const allowed = [...Object.entries(valued).map(([name, placeholder]) => `${name} ${placeholder}`), ...flags].join(', ');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (flags.includes(name) && eq < 0) out.flags.add(name);
    else if (Object.hasOwn(valued, name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
      if (value === undefined || (eq < 0 && value.startsWith('-'))) problems.push(`${name} needs a value`);
      else {
        out.values.set(name, value);
        if (eq < 0) i++;
      }
    } else if (arg.startsWith('-') && arg !== '-') problems.push(`unknown option ${JSON.stringify(name)}; allowed: ${allowed}`);
    else out.positional.push(arg);
  }
  return out;
}

/** A whole number option within [min, max], or the default; a bad value is a problem naming it. */
export function wholeNumber(o: ParsedOptions, name: string, min: number, max: number, fallback: number, problems: string[]): number {
  const v = o.values.get(name);
  if (v === undefined) return fallback;
  if (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max) return Number(v);
  problems.push(`${name} (${JSON.stringify(v)}) must be a whole number from ${min} to ${max}`);
  return fallback;
}
