/**
 * Heap snapshots in the local pod, beside what the calibrated cost model says of them: the
 * model (src/agent/snapshot-model.ts, through the agent's own snapshotRefusal) is applied to the
 * agent's latest reading with the agent's settings as the Deployment's env gives them, and the
 * app process's peak RSS (VmHWM) is read from /proc. With no cgroup on this machine nothing
 * OOM-kills the app, so "never OOM-killed" is checked as: its peak RSS stayed under the memory
 * limit the manifests give its container.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSettings } from '../../src/agent/settings';
import { SnapshotRefusal, snapshotRefusal } from '../../src/agent/snapshots';
import { AGENT_READING_FILE, AgentReading, RESTART_MARKER, RestartMarker } from '../../src/contract';
import { LocalPod } from './local-pod';
import { done, notYet, pollUntil } from './poll';

/** Peak resident memory of a live process (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!kib) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kib[1]) * 1024;
}

/** The agent's latest reading in the shared volume. */
export function latestReading(pod: LocalPod): AgentReading {
  return JSON.parse(fs.readFileSync(path.join(pod.sharedDir, AGENT_READING_FILE), 'utf8')) as AgentReading;
}

/** What the model says of a snapshot of this reading's heap: null (it fits) or the refusal. */
export function modelSays(pod: LocalPod, reading: AgentReading): SnapshotRefusal | null {
  return snapshotRefusal(readSettings(pod.appEnv), reading);
}

export interface RequestedSnapshot {
  /** The model's answer on the reading taken just before the request. */
  readonly model: SnapshotRefusal | null;
  readonly status: number;
  readonly body: any;
  /** The app's peak RSS after the request. */
  readonly peakRssBytes: number;
}

/** Asks the sidecar's admin API for a snapshot, with the model's answer for the heap of that moment. */
export async function requestSnapshot(pod: LocalPod): Promise<RequestedSnapshot> {
  const model = modelSays(pod, latestReading(pod));
  const res = await pod.adminFetch('/admin/heap-snapshots', { method: 'POST' });
  const body: any = await res.json();
  return { model, status: res.status, body, peakRssBytes: peakRssBytes(pod.app!.pid) };
}

export interface PreRestartOutcome {
  readonly marker: RestartMarker;
  /** The model's answer on the reading of the check that wrote the marker (or the next one). */
  readonly model: SnapshotRefusal | null;
  /** The agent's log line saying why there was no pre-restart snapshot, if it logged one. */
  readonly refusalLog?: { readonly msg: string; readonly reason: string };
  /** The leaking process's peak RSS, read before the restart. */
  readonly peakRssBytes: number;
}

/** Once /livez fails and before the restart: the restart marker, the model's answer and the agent's own. */
export async function preRestartOutcome(pod: LocalPod): Promise<PreRestartOutcome> {
  const pid = pod.app!.pid;
  const markerFile = path.join(pod.sharedDir, RESTART_MARKER);
  const marker = await pollUntil('the agent to write its restart marker', () => {
    if (!fs.existsSync(markerFile)) return notYet(`no ${RESTART_MARKER}`);
    const m = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as RestartMarker;
    return m.pid === pid ? done(m) : notYet(`a marker of pid ${m.pid}`);
  }, { timeoutMs: 10_000, intervalMs: 50 });
  const peak = peakRssBytes(pid);
  const model = modelSays(pod, latestReading(pod));
  const lines = fs.readFileSync(pod.appLogFile, 'utf8').split('\n').filter((l) => l.startsWith('{'));
  const refusalLog = lines.map((l) => JSON.parse(l)).find((l) => l.pid === pid && String(l.msg).startsWith('No pre-restart heap snapshot'));
  return { marker, model, refusalLog, peakRssBytes: peak };
}

/** "an estimated RSS rise of N B (...) needed, headroom H B" out of a refusal message. */
export function needAndHeadroom(message: string): { neededBytes: number; headroomBytes: number } | undefined {
  const m = /an estimated RSS rise of (\d+) B \([\d.]+ MiB\) needed, headroom (\d+) B \([\d.]+ MiB\)/.exec(message);
  return m ? { neededBytes: Number(m[1]), headroomBytes: Number(m[2]) } : undefined;
}
