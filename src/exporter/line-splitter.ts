/**
 * Splits a byte stream into newline-delimited lines (the agent socket's framing).
 * A line longer than maxLineChars is dropped whole (reported once) rather than buffered
 * without bound: a confused or hostile peer must not grow the sidecar's memory.
 */
export interface LineSplitterOptions {
  /** Longest accepted line in characters (UTF-16 units; the protocol is ASCII JSON). @default 1048576 */
  readonly maxLineChars?: number;
}

export class LineSplitter {
  private readonly max: number;
  private buffer = '';
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOversize: () => void,
    options: LineSplitterOptions = {},
  ) {
    this.max = options.maxLineChars ?? 1024 * 1024;
  }

  push(chunk: string): void {
    let rest = chunk;
    for (;;) {
      const nl = rest.indexOf('\n');
      if (nl < 0) break;
      const piece = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (this.discarding) {
        this.discarding = false;
        this.buffer = '';
        continue;
      }
      const line = this.buffer + piece;
      this.buffer = '';
      if (line.length > this.max) this.onOversize();
      else if (line.trim() !== '') this.onLine(line);
    }
    if (this.discarding) return;
    this.buffer += rest;
    if (this.buffer.length > this.max) {
      this.buffer = '';
      this.discarding = true;
      this.onOversize();
    }
  }

  /** Forgets a partial line (the connection it came from is gone). */
  reset(): void {
    this.buffer = '';
    this.discarding = false;
  }
}
