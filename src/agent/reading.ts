/**
 * The reading: each check's AgentReading replaces AGENT_READING_FILE in the shared volume,
 * and the sidecar polls it. Not a write on the socket: a socket write goes through the same
 * Node stream code as the app's HTTP responses, and `--trace-deopt` shows that code
 * deoptimized (wrong map) whenever a reading went out on it (figures in bench/README.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENT_READING_FILE, AgentReading } from '../contract';
import { AllocationProfiler } from './allocation-profile';
import { GcForcer } from './forced-gc';
import { GcRecorder } from './gc-recorder';
import { errorCode, errorText, logOnce } from './log';
import { replaceFile } from './replace-file';
import { HeapSample } from './sample';
import { Streak } from './streak';

/** What a reading is made of, besides the check's own sample and ratios. */
export interface ReadingSources {
  readonly startTime: number;
  readonly streak: Streak;
  readonly gcRecorder: GcRecorder;
  readonly gcForcer: GcForcer;
  readonly containerMemoryLimit: number | null;
  readonly profiler: AllocationProfiler;
}

export function buildReading(src: ReadingSources, s: HeapSample, ratio: number, totalRatio: number, eventLoopLagP99: number): AgentReading {
  const top = src.profiler.top;
  return {
    type: 'reading',
    pid: process.pid,
    startTime: src.startTime,
    ts: Date.now(),
    nodeVersion: process.version,
    heapUsed: s.heapUsed,
    heapTotal: s.heapTotal,
    heapLimit: s.heapLimit,
    external: s.external,
    arrayBuffers: s.arrayBuffers,
    rss: s.rss,
    spaces: s.spaces,
    ratio,
    totalRatio,
    streak: src.streak.streak,
    liveAfterGc: src.gcRecorder.liveAfterGc,
    gc: src.gcRecorder.gc,
    eventLoopLagP99,
    forcedGc: { count: src.gcForcer.count, lastReclaimedBytes: src.gcForcer.lastReclaimedBytes },
    livenessFailing: src.streak.livenessFailing,
    containerMemoryLimit: src.containerMemoryLimit,
    ...(top === undefined ? {} : { allocationSites: top.sites, allocationSampledBytes: top.sampledBytes }),
  };
}

/** The reading file; only the socket's owner writes it (one publisher per shared volume). */
export class ReadingFile {
  readonly path: string;
  private last: AgentReading | null = null;

  constructor(dir: string) {
    this.path = path.join(dir, AGENT_READING_FILE);
  }

  /** Keeps the reading, and writes it when `publishing`. */
  update(reading: AgentReading, publishing: boolean): void {
    this.last = reading;
    if (publishing) this.write();
  }

  /** Writes the latest reading, if there is one (also when the socket starts listening). */
  write(): void {
    if (this.last === null) return;
    try {
      replaceFile(this.path, JSON.stringify(this.last) + '\n');
    } catch (err) {
      logOnce('reading-file', 'warn', `Cannot write readings to ${this.path}; sampling and /livez go on`, { file: this.path, error: errorText(err), code: errorCode(err) });
    }
  }

  remove(): void {
    try {
      fs.unlinkSync(this.path);
    } catch {
      // Gone already.
    }
  }
}
