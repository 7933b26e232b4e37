/**
 * Heap snapshots: only one at a time, only with room on the volume and in memory, and only
 * when the pause (the event loop is blocked) stays well inside the liveness probe's tolerance.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { AGENT_ENV, SNAPSHOT_SUBDIR } from '../contract';
import { HeapSample } from './sample';
import { AgentSettings } from './settings';
import { estimateSnapshot, SNAPSHOT_MODEL } from './snapshot-model';

/** A snapshot file name the sidecar may ask for: a plain name, no path separator, no leading dot. */
export const SNAPSHOT_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.heapsnapshot$/;

export interface SnapshotRefusal {
  readonly reason: 'too-slow' | 'no-headroom';
  /** Says the estimated need and the headroom, in bytes and in MiB. */
  readonly message: string;
  /** The estimated need: RSS bytes, or file bytes when the volume is what is short. */
  readonly neededBytes: number;
  /** What there is room for: RSS bytes under the limit, or the volume's free bytes. */
  readonly headroomBytes: number;
}

export interface WrittenSnapshot {
  readonly file: string;
  readonly bytes: number;
  readonly durationMs: number;
}

/** The container's memory limit: the setting, else the cgroup's as Node sees it, else null. */
export function memoryLimit(settings: Pick<AgentSettings, 'containerMemoryLimitBytes'>): number | null {
  if (settings.containerMemoryLimitBytes !== null) return settings.containerMemoryLimitBytes;
  // Unconstrained reads as 0 or as huge.
  try {
    const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() ?? 0 : 0;
    if (constrained > 0 && constrained < os.totalmem()) return constrained;
  } catch {
    // Fall through to unknown.
  }
  return null;
}

/** Bytes for people and for programs: "123456789 B (117.7 MiB)". */
function bytesText(bytes: number): string {
  return `${Math.round(bytes)} B (${(bytes / 2 ** 20).toFixed(1)} MiB)`;
}

/** Null when a snapshot of this heap fits, else why not, with the estimated need and the headroom. */
export function snapshotRefusal(settings: AgentSettings, sample: HeapSample): SnapshotRefusal | null {
  const est = estimateSnapshot(sample);
  const limit = memoryLimit(settings);
  const headroom = Math.max(0, Math.round(limit !== null
    ? limit - sample.rss - SNAPSHOT_MODEL.rssMarginBytes
    : os.freemem() * SNAPSHOT_MODEL.unknownLimitFreeShare));
  const of = limit !== null
    ? `the container limit ${bytesText(limit)} minus RSS ${bytesText(sample.rss)} and a ${SNAPSHOT_MODEL.rssMarginBytes / 2 ** 20} MiB margin`
    : 'half of the free memory (container limit unknown)';
  const memory = `an estimated RSS rise of ${bytesText(est.rssRiseBytes)} needed, headroom ${bytesText(headroom)} (${of})`;
  const maxSeconds = settings.livenessToleranceSeconds / 2;
  if (est.seconds > maxSeconds) {
    return {
      reason: 'too-slow',
      message: `estimated pause ${est.seconds.toFixed(1)} s exceeds half of ${AGENT_ENV.livenessToleranceSeconds} (${maxSeconds} s); ${memory}`,
      neededBytes: est.rssRiseBytes,
      headroomBytes: headroom,
    };
  }
  if (est.rssRiseBytes > headroom) {
    return { reason: 'no-headroom', message: `no room in memory: ${memory}`, neededBytes: est.rssRiseBytes, headroomBytes: headroom };
  }
  const st = fs.statfsSync(settings.dir);
  const free = st.bavail * st.bsize;
  if (est.fileBytes > free) {
    return {
      reason: 'no-headroom',
      message: `no room on ${settings.dir}: an estimated file of ${bytesText(est.fileBytes)} needed, free space ${bytesText(free)}`,
      neededBytes: est.fileBytes,
      headroomBytes: free,
    };
  }
  return null;
}

/** Writes the snapshot under a temporary name and renames it, so readers never see half a file. */
export function writeSnapshot(dir: string, file: string): WrittenSnapshot {
  const snapDir = path.join(dir, SNAPSHOT_SUBDIR);
  fs.mkdirSync(snapDir, { recursive: true });
  const target = path.join(snapDir, file);
  const partial = target + '.partial';
  const started = process.hrtime.bigint();
  try {
    v8.writeHeapSnapshot(partial);
    // V8 writes 0600; the sidecar serving downloads may be another user in the volume's fsGroup.
    fs.chmodSync(partial, 0o640);
    fs.renameSync(partial, target);
  } catch (err) {
    try {
      fs.unlinkSync(partial);
    } catch {
      // Nothing was written.
    }
    throw err;
  }
  return { file, bytes: fs.statSync(target).size, durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6) };
}

/** The one snapshot writer of the process: the socket's requests and the pre-restart snapshot share it. */
export class Snapshots {
  private busy = false;

  constructor(private readonly settings: AgentSettings) {}

  isBusy(): boolean {
    return this.busy;
  }

  refusal(sample: HeapSample): SnapshotRefusal | null {
    return snapshotRefusal(this.settings, sample);
  }

  /** Claims the writer until write() ends; false when a snapshot is already under way. */
  reserve(): boolean {
    if (this.busy) return false;
    this.busy = true;
    return true;
  }

  /** Writes a reserved snapshot (blocking the event loop) and releases the writer. */
  write(file: string): WrittenSnapshot {
    try {
      return writeSnapshot(this.settings.dir, file);
    } finally {
      this.busy = false;
    }
  }
}
