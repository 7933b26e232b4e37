/**
 * Counts app restarts: a reading whose pid or start time differs from the previous one is a
 * new process. The reason is heap_streak when the agent left SHARED_DIR/RESTART_MARKER before
 * its /livez started failing (the marker is then removed, so it is counted once), else other.
 *
 * The last seen process and the counts are kept in a small state file in the shared emptyDir,
 * which outlives the sidecar's container: a sidecar restart neither loses the count (no
 * spurious counter reset) nor misses an app restart that happened while it was down.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentReading, EXPORTER_STATE_FILE, RESTART_MARKER, RESTART_REASONS } from '../contract';

export const RESTART_STATE_FILE = EXPORTER_STATE_FILE;

type Reason = (typeof RESTART_REASONS)[keyof typeof RESTART_REASONS];

interface State {
  pid?: number;
  startTime?: number;
  counts: Record<Reason, number>;
}

export interface RestartTrackerOptions {
  /** The shared directory (SHARED_DIR). */
  readonly dir: string;
  /** Told about every restart counted (for the log). */
  readonly onRestart?: (reason: Reason, from: { pid?: number; startTime?: number }, to: Pick<AgentReading, 'pid' | 'startTime'>) => void;
}

export class RestartTracker {
  private state: State;
  private readonly stateFile: string;
  private readonly markerFile: string;

  constructor(private readonly options: RestartTrackerOptions) {
    this.stateFile = path.join(options.dir, RESTART_STATE_FILE);
    this.markerFile = path.join(options.dir, RESTART_MARKER);
    this.state = this.load();
  }

  counts(): Readonly<Record<string, number>> {
    return this.state.counts;
  }

  /** Call with every reading, in order (scrape mode passes pid 0: only the start time is known). */
  observe(r: Pick<AgentReading, 'pid' | 'startTime'>): void {
    const { pid, startTime } = this.state;
    if (pid === r.pid && startTime === r.startTime) return;
    const marker = this.consumeMarker(r);
    if (pid !== undefined || marker === 'other-process') {
      // Without earlier state (first start of the sidecar in this pod), a marker left by another
      // process still proves a heap-streak restart happened: count it rather than lose it.
      const reason: Reason = marker === 'none' ? RESTART_REASONS.other : RESTART_REASONS.heapStreak;
      this.state.counts[reason] += 1;
      this.options.onRestart?.(reason, { pid, startTime }, r);
    }
    this.state.pid = r.pid;
    this.state.startTime = r.startTime;
    this.save();
  }

  /**
   * Removes the restart marker unless the current process wrote it (its liveness is about to
   * fail, the restart has not happened yet). The agent's marker names its pid and startTime;
   * a marker without them is taken as left by the previous process.
   */
  private consumeMarker(current: Pick<AgentReading, 'pid' | 'startTime'>): 'none' | 'other-process' | 'unknown-process' {
    let text: string;
    try {
      text = fs.readFileSync(this.markerFile, 'utf8');
    } catch {
      return 'none';
    }
    let writer: { pid?: unknown; startTime?: unknown } = {};
    try {
      writer = JSON.parse(text) as typeof writer;
    } catch {
      // A torn or foreign file still marks a heap-streak restart.
    }
    const known = typeof writer.pid === 'number' && typeof writer.startTime === 'number';
    if (known && writer.pid === current.pid && writer.startTime === current.startTime) return 'none';
    try {
      fs.unlinkSync(this.markerFile);
    } catch {
      return 'none'; // someone else consumed it
    }
    return known ? 'other-process' : 'unknown-process';
  }

  private load(): State {
    const empty: State = { counts: { [RESTART_REASONS.heapStreak]: 0, [RESTART_REASONS.other]: 0 } as Record<Reason, number> };
    try {
      const s = JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as Partial<State>;
      const counts = { ...empty.counts };
      for (const reason of Object.values(RESTART_REASONS)) {
        const v = s.counts?.[reason];
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0) counts[reason] = v;
      }
      return {
        pid: typeof s.pid === 'number' ? s.pid : undefined,
        startTime: typeof s.startTime === 'number' ? s.startTime : undefined,
        counts,
      };
    } catch {
      return empty; // first start of this pod, or an unreadable file: start from zero
    }
  }

  private save(): void {
    // Write-then-rename so a sidecar killed mid-write never leaves half a file.
    const tmp = `${this.stateFile}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(this.state));
      fs.renameSync(tmp, this.stateFile);
    } catch {
      // A full or read-only volume only costs the persistence, never the metrics.
    }
  }
}
