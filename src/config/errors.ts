/** The two errors heapwatch throws for bad input, each listing every problem at once. */

/** Thrown when the config is invalid; `problems` lists every one, each naming field, value and what is allowed. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problemList('heapwatch config has', problems));
    this.name = 'ConfigError';
  }
}

/**
 * Thrown by a construct whose props are invalid (cdk8s-plus style: each problem names the prop,
 * the value given and what is allowed), with every problem at once, before anything is built.
 */
export class PropsError extends Error {
  constructor(public readonly construct: string, public readonly problems: readonly string[]) {
    super(problemList(`${construct} props have`, problems));
    this.name = 'PropsError';
  }
}

/** Throws PropsError when `problems` is not empty. */
export function throwIfPropProblems(construct: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new PropsError(construct, problems);
}

function problemList(subject: string, problems: readonly string[]): string {
  return `${subject} ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` + problems.map((p) => `  - ${p}`).join('\n');
}
