/**
 * Checks what comes from the agent (its reading file, lines on its socket) before anything
 * else sees it: a reading with a missing or non-finite number would otherwise become a NaN
 * sample or a false restart.
 */
import { AgentReading, ALLOCATION_SITES, GC_BUCKETS_SECONDS, SnapshotResult } from '../contract';

export type AgentMessage = { kind: 'reading'; reading: AgentReading } | { kind: 'snapshot-result'; result: SnapshotResult };

const NUMBERS = ['pid', 'startTime', 'ts', 'heapUsed', 'heapTotal', 'heapLimit', 'external', 'arrayBuffers', 'rss', 'ratio', 'totalRatio', 'streak', 'eventLoopLagP99'] as const;
const GC_KINDS = new Set(['major', 'minor', 'incremental', 'weakcb']);
const SPACE_NAME = /^[a-z_]{1,64}$/;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Parses one line; returns the message or a reason it was rejected. */
export function parseAgentLine(line: string): AgentMessage | { kind: 'invalid'; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'invalid', reason: 'not an object' };
  const o = value as Record<string, unknown>;
  if (o.type === 'reading') {
    const why = readingProblem(o);
    return why === undefined ? { kind: 'reading', reading: o as unknown as AgentReading } : { kind: 'invalid', reason: why };
  }
  if (o.type === 'snapshot-result') {
    if (typeof o.id !== 'string' || typeof o.ok !== 'boolean') return { kind: 'invalid', reason: 'snapshot-result without id or ok' };
    return { kind: 'snapshot-result', result: o as unknown as SnapshotResult };
  }
  return { kind: 'invalid', reason: `unknown type ${JSON.stringify(o.type)}`.slice(0, 100) };
}

function readingProblem(o: Record<string, unknown>): string | undefined {
  for (const k of NUMBERS) if (!isNum(o[k])) return `reading.${k} is not a finite number`;
  if (!(o.heapLimit as number > 0) || !(o.heapTotal as number > 0)) return 'reading.heapLimit and heapTotal must be > 0';
  if (typeof o.spaces !== 'object' || o.spaces === null) return 'reading.spaces is not an object';
  for (const [name, v] of Object.entries(o.spaces)) if (!SPACE_NAME.test(name) || !isNum(v)) return `reading.spaces.${name.slice(0, 40)} is invalid`;
  if (o.liveAfterGc !== null && !isNum(o.liveAfterGc)) return 'reading.liveAfterGc is not a number or null';
  if (o.containerMemoryLimit !== null && o.containerMemoryLimit !== undefined && !isNum(o.containerMemoryLimit)) return 'reading.containerMemoryLimit is not a number or null';
  if (typeof o.livenessFailing !== 'boolean') return 'reading.livenessFailing is not a boolean';
  const gc = o.forcedGc as Record<string, unknown> | null;
  if (typeof gc !== 'object' || gc === null || !isNum(gc.count) || !isNum(gc.lastReclaimedBytes)) return 'reading.forcedGc is invalid';
  if (o.allocationSites !== undefined) {
    const why = sitesProblem(o.allocationSites);
    if (why !== undefined) return why;
    if (!isNum(o.allocationSampledBytes)) return 'reading.allocationSampledBytes is not a number (it comes with allocationSites)';
  }
  if (typeof o.gc !== 'object' || o.gc === null) return 'reading.gc is not an object';
  for (const [kind, h] of Object.entries(o.gc as Record<string, unknown>)) {
    const hist = h as Record<string, unknown> | null;
    if (!GC_KINDS.has(kind)) return `reading.gc has unknown kind ${JSON.stringify(kind).slice(0, 40)}`;
    if (typeof hist !== 'object' || hist === null || !isNum(hist.count) || !isNum(hist.sum)) return `reading.gc.${kind} is invalid`;
    const b = hist.buckets;
    if (!Array.isArray(b) || b.length !== GC_BUCKETS_SECONDS.length || !b.every(isNum)) {
      return `reading.gc.${kind}.buckets must be ${GC_BUCKETS_SECONDS.length} numbers (one per GC_BUCKETS_SECONDS)`;
    }
  }
  return undefined;
}

/** At most ALLOCATION_SITES.max sites with bounded labels: each one is a series on /metrics. */
function sitesProblem(sites: unknown): string | undefined {
  if (!Array.isArray(sites) || sites.length > ALLOCATION_SITES.max) return `reading.allocationSites must be a list of at most ${ALLOCATION_SITES.max} sites`;
  const label = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= ALLOCATION_SITES.labelMaxChars;
  for (const s of sites as Array<Record<string, unknown> | null>) {
    if (typeof s !== 'object' || s === null || !label(s.function) || !label(s.location) || !isNum(s.bytes) || !isNum(s.share)) {
      return `reading.allocationSites has an invalid site (function and location: 1 to ${ALLOCATION_SITES.labelMaxChars} characters; bytes and share: numbers)`;
    }
  }
  return undefined;
}
