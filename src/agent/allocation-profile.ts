/**
 * The live allocation profile: V8's sampling heap profiler, started once in the watched process
 * through its own in-process inspector session. V8 drops the samples of collected objects, so a
 * profile read at any time is the live heap by the code that allocated it. Written as Chrome
 * DevTools' .heapprofile (it loads in the Memory tab) on request and before a streak restart;
 * reduced to the top sites for the reading at most every allocationSitesRefreshSeconds.
 *
 * A fault disables the profiler only, logged once; the rest of the agent goes on.
 */
import type * as Inspector from 'node:inspector';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENT_ENV, PROFILE_SUBDIR } from '../contract';
import { SamplingHeapProfile, TopSites, topSites } from './allocation-sites';
import { closeSessionSoon, openSession, postNow } from './inspector-session';
import { errorText, log, logOnce } from './log';
import { replaceFile } from './replace-file';
import { AgentSettings } from './settings';

/** A profile file name the sidecar may ask for: a plain name, no path separator, no leading dot. */
export const PROFILE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.heapprofile$/;

export interface WrittenProfile {
  readonly file: string;
  readonly bytes: number;
  /** How long reading and writing it blocked the event loop. */
  readonly durationMs: number;
}

/**
 * Reading the profile runs a full GC first (V8's inspector samples with kSamplingForceGC), so
 * its pause grows with the heap: `npm run bench:agent` measured about 0.5 s at 660 MiB of small
 * records. The top sites' refreshes keep to this share of wall time: after a read that blocked
 * P ms the next one waits at least P / SITES_TIME_SHARE ms (a 0.5 s read: 50 s, under the
 * minute; a 3 s read of a huge heap: 5 minutes).
 */
const SITES_TIME_SHARE = 0.01;

type Settings = Pick<AgentSettings, 'dir' | 'allocationProfile' | 'allocationSamplingIntervalBytes' | 'allocationSitesRefreshSeconds'>;

export class AllocationProfiler {
  /** The latest top sites, or undefined before the first refresh (or when off). */
  top: TopSites | undefined;
  private session: Inspector.Session | null = null;
  private nextSitesAt = -Infinity;

  constructor(private readonly settings: Settings) {}

  /** True while sampling. */
  get running(): boolean {
    return this.session !== null;
  }

  start(): void {
    if (!this.settings.allocationProfile) return;
    try {
      this.session = openSession();
      if (this.session === null) {
        logOnce('profile:no-inspector', 'warn', 'No live allocation profile: this Node has no inspector');
        return;
      }
      postNow(this.session, 'HeapProfiler.enable');
      // Both flags false: the samples of objects a GC collects are dropped, so what the
      // profile holds is the heap that is still live.
      postNow(this.session, 'HeapProfiler.startSampling', {
        samplingInterval: this.settings.allocationSamplingIntervalBytes,
        includeObjectsCollectedByMajorGC: false,
        includeObjectsCollectedByMinorGC: false,
      });
      log('info', 'Live allocation profile started (V8 sampling heap profiler, in-process inspector session, no port opened)', {
        samplingIntervalBytes: this.settings.allocationSamplingIntervalBytes,
      });
    } catch (err) {
      this.fail(err);
    }
  }

  /** The profile now, or null when the profiler is off or failed. Blocks while V8 builds it. */
  read(): SamplingHeapProfile | null {
    if (this.session === null) return null;
    try {
      return postNow<{ profile: SamplingHeapProfile }>(this.session, 'HeapProfiler.getSamplingProfile').profile;
    } catch (err) {
      this.fail(err);
      return null;
    }
  }

  /** Refreshes `top` at most every allocationSitesRefreshSeconds, and within SITES_TIME_SHARE of the time. */
  refreshSites(now = Date.now()): void {
    if (this.session === null || now < this.nextSitesAt) return;
    const started = process.hrtime.bigint();
    const profile = this.read();
    const pauseMs = Number(process.hrtime.bigint() - started) / 1e6;
    this.nextSitesAt = now + Math.max(this.settings.allocationSitesRefreshSeconds * 1000, pauseMs / SITES_TIME_SHARE);
    if (profile === null) return;
    try {
      this.top = topSites(profile, process.cwd());
    } catch (err) {
      this.fail(err);
    }
  }

  /** Writes the profile to PROFILE_SUBDIR/file (temporary name, then a rename, mode 0640); null when off. */
  write(file: string): WrittenProfile | null {
    const started = process.hrtime.bigint();
    const profile = this.read();
    if (profile === null) return null;
    const dir = path.join(this.settings.dir, PROFILE_SUBDIR);
    fs.mkdirSync(dir, { recursive: true });
    const target = path.join(dir, file);
    replaceFile(target, JSON.stringify(profile));
    return { file, bytes: fs.statSync(target).size, durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6) };
  }

  /** The pre-restart profile's file name, or null when off or it could not be written. */
  writePreRestart(stamp: string): string | null {
    try {
      return this.write(`heap-${stamp}-${process.pid}-prerestart.heapprofile`)?.file ?? null;
    } catch (err) {
      log('warn', 'Pre-restart allocation profile failed', { error: errorText(err) });
      return null;
    }
  }

  stop(): void {
    if (this.session === null) return;
    closeSessionSoon(this.session);
    this.session = null;
    this.top = undefined;
  }

  private fail(err: unknown): void {
    logOnce('profile:fault', 'warn', `Live allocation profile disabled after a fault; the rest of the agent goes on (set ${AGENT_ENV.allocationProfile}=false to turn it off)`, { error: errorText(err) });
    this.stop();
  }
}
