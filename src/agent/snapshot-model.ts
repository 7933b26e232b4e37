/**
 * Heap snapshot cost model, calibrated by `npm run bench:snapshot` (the figures and how they
 * were measured are in bench/README.md). Nothing cheap counts heap objects or edges, so it reads
 * the heap space statistics every check samples and splits the heap outside the large-object
 * spaces in two: the code graph (functions, bytecode, sources, module objects: big objects, cheap
 * to snapshot), sized from the compiled code, and the rest, data, charged as the worst case
 * measured: small objects held by one big collection. An estimate that is too high refuses a
 * snapshot; one that is too low gets the container OOM-killed.
 */
import { HeapSample, largeObjectBytes } from './sample';

const MiB = 2 ** 20;

export const SNAPSHOT_MODEL = {
  /** Node 22+ keep bytecode in trusted_space: an idle NestJS app has 4.4 bytes of code graph per byte of code and trusted space. */
  codeGraphPerCodeByte: 4.2,
  /** Node 20 keeps only machine code in code_space: NestJS's code graph was 9.7 bytes per byte of it, Node's own 2.6 MiB besides. */
  codeGraphPerMachineCodeByte: 9,
  codeGraphBaseBytes: 2.5 * MiB,
  /** The code graph cost 3.3-4.3 bytes of RSS per byte (bare Node to idle NestJS 11). */
  rssPerCodeGraphByte: 4.5,
  /** Two-field objects in one array cost 33.5-35.2 bytes of RSS per byte: the worst case measured (records in a Map cost 7-9). */
  rssPerDataByte: 38,
  /** A bare process's snapshot rose RSS by 30 MiB (Node 20) and 40 MiB (Node 24). */
  rssBaseBytes: 40 * MiB,
  /** Pauses measured on two shared cores: 0.11-0.12 s per MiB of code graph, up to 0.23 s per MiB of data. */
  secondsBase: 0.3,
  secondsPerCodeGraphByte: 0.12 / MiB,
  secondsPerDataByte: 0.3 / MiB,
  /** Files were 1.1-2.3 bytes per heap byte outside the large-object spaces; a large string's contents are not in it. */
  fileBytesPerHeapByte: 2.6,
  fileBytesPerLargeByte: 0.05,
  /** Kept free under the container limit besides the estimate. */
  rssMarginBytes: 32 * MiB,
  /** With no known memory limit, use at most this share of the machine's free memory. */
  unknownLimitFreeShare: 0.5,
} as const;

export interface SnapshotEstimate {
  /** Heap bytes outside the large-object spaces taken for the code graph. */
  readonly codeGraphBytes: number;
  /** The other heap bytes outside the large-object spaces, charged as small objects. */
  readonly dataBytes: number;
  readonly rssRiseBytes: number;
  readonly seconds: number;
  readonly fileBytes: number;
}

/** Bytes of compiled code: bytecode and machine code (code_space, trusted_space, not their large-object spaces). */
function codeBytes(spaces: Readonly<Record<string, number>>): number {
  let bytes = 0;
  for (const name of Object.keys(spaces)) {
    if ((name.startsWith('code') || name.includes('trusted')) && !name.includes('large_object')) bytes += spaces[name];
  }
  return bytes;
}

/** What writing a snapshot of this heap would cost. Pure: the sample is all it reads. */
export function estimateSnapshot(sample: Pick<HeapSample, 'heapUsed' | 'spaces'>): SnapshotEstimate {
  const m = SNAPSHOT_MODEL;
  const large = largeObjectBytes(sample.spaces);
  const outside = Math.max(0, sample.heapUsed - large);
  const code = codeBytes(sample.spaces);
  const codeGraphCap = 'trusted_space' in sample.spaces ? m.codeGraphPerCodeByte * code : m.codeGraphBaseBytes + m.codeGraphPerMachineCodeByte * code;
  const codeGraph = Math.min(outside, codeGraphCap);
  const data = outside - codeGraph;
  return {
    codeGraphBytes: Math.round(codeGraph),
    dataBytes: Math.round(data),
    rssRiseBytes: Math.round(m.rssBaseBytes + m.rssPerCodeGraphByte * codeGraph + m.rssPerDataByte * data),
    seconds: m.secondsBase + m.secondsPerCodeGraphByte * codeGraph + m.secondsPerDataByte * data,
    fileBytes: Math.round(m.fileBytesPerHeapByte * outside + m.fileBytesPerLargeByte * large),
  };
}
