/**
 * What happened when, relative to the start of a run, and the latencies between named
 * events, printed side by side.
 */

export interface TimelineEvent {
  readonly at: number;
  readonly label: string;
  readonly detail?: string;
}

export interface Latency {
  readonly label: string;
  readonly ms: number;
  /** The bound it must stay under, when there is one. */
  readonly boundMs?: number;
}

export class Timeline {
  readonly events: TimelineEvent[] = [];
  readonly latencies: Latency[] = [];

  constructor(readonly t0: number) {}

  add(at: number, label: string, detail?: string): number {
    this.events.push({ at, label, detail });
    return at;
  }

  latency(label: string, from: number, to: number, boundMs?: number): number {
    this.latencies.push({ label, ms: to - from, boundMs });
    return to - from;
  }

  /** Seconds since t0, e.g. "+12.3 s". */
  rel(at: number): string {
    return `+${((at - this.t0) / 1000).toFixed(1)} s`;
  }

  format(): string {
    const events = [...this.events].sort((a, b) => a.at - b.at);
    const width = Math.max(...events.map((e) => this.rel(e.at).length), 8);
    const lines = ['Timeline', ...events.map((e) => `  ${this.rel(e.at).padStart(width)}  ${e.label}${e.detail ? ` (${e.detail})` : ''}`)];
    if (this.latencies.length > 0) {
      const lw = Math.max(...this.latencies.map((l) => l.label.length));
      lines.push('', 'Measured latencies');
      for (const l of this.latencies) {
        const bound = l.boundMs === undefined ? '' : `   (bound ${(l.boundMs / 1000).toFixed(1)} s: ${l.ms <= l.boundMs ? 'within' : 'EXCEEDED'})`;
        lines.push(`  ${l.label.padEnd(lw)}  ${(l.ms / 1000).toFixed(1).padStart(6)} s${bound}`);
      }
    }
    return lines.join('\n');
  }
}
