/**
 * The restart marker: written once, just before /livez starts failing, after the pre-restart
 * allocation profile (cheap, always written when the profiler runs) and a pre-restart heap
 * snapshot when HEAPWATCH_SNAPSHOT_BEFORE_RESTART is on and one fits. The sidecar reads
 * it (and removes it) to count the restart under reason heap_streak.
 */
import * as path from 'node:path';
import { RESTART_MARKER, RESTART_REASONS, RestartMarker } from '../contract';
import { AllocationProfiler } from './allocation-profile';
import { errorText, log, logOnce, round4 } from './log';
import { replaceFile } from './replace-file';
import { HeapSample } from './sample';
import { AgentSettings } from './settings';
import { Snapshots } from './snapshots';

export function writeRestartMarker(settings: AgentSettings, snapshots: Snapshots, profiler: AllocationProfiler, startTime: number, streak: number, s: HeapSample, ratio: number): void {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profile = profiler.writePreRestart(stamp);
  const snapshot = settings.snapshotBeforeRestart ? preRestartSnapshot(snapshots, s, stamp) : null;
  const marker: RestartMarker = {
    reason: RESTART_REASONS.heapStreak,
    pid: process.pid,
    startTime,
    at: Date.now(),
    streak,
    ratio: round4(ratio),
    heapUsed: s.heapUsed,
    heapLimit: s.heapLimit,
    snapshot,
    profile,
  };
  const target = path.join(settings.dir, RESTART_MARKER);
  try {
    replaceFile(target, JSON.stringify(marker) + '\n');
  } catch (err) {
    logOnce('marker', 'warn', `Could not write the restart marker ${target}`, { error: errorText(err) });
  }
}

/** The snapshot's file name, or null when there was no room (or one was already being written). */
function preRestartSnapshot(snapshots: Snapshots, s: HeapSample, stamp: string): string | null {
  try {
    const refusal = snapshots.refusal(s);
    if (refusal !== null) {
      log('warn', 'No pre-restart heap snapshot: ' + refusal.message, { reason: refusal.reason });
      return null;
    }
    if (!snapshots.reserve()) return null;
    return snapshots.write(`heap-${stamp}-${process.pid}-prerestart.heapsnapshot`).file;
  } catch (err) {
    log('warn', 'Pre-restart heap snapshot failed', { error: errorText(err) });
    return null;
  }
}
