/**
 * Heap snapshot cost model. Cost follows the number of heap objects, not heap bytes, and
 * nothing cheap counts objects, so the count is estimated from the bytes outside the
 * large-object spaces (a large string or array there is one object however big) divided by
 * a small average object size. Measured with v8.writeHeapSnapshot on this project's build
 * machine (2 shared cores), Node 20.20 and 24.21:
 *   600k two-field objects (32 MiB used):  26 MiB heap non-large, 1.3-1.8 s, RSS +800-840 MiB, file 56-60 MiB
 *   1.5M two-field objects (75 MiB used):  60 MiB non-large,      6.4-6.9 s, RSS +1.95-2.0 GiB, file 137-146 MiB
 *   600k {number,string,array} (83 MiB):   76 MiB non-large,      3.8-8.2 s, RSS +1.17-1.3 GiB, file 149-163 MiB
 *   400 large strings/arrays:              ~0 non-large,           0.1 s,     RSS +32-40 MiB
 * Two-field objects average 42-46 bytes and are the worst case per byte (~1.4 KiB of RSS and
 * up to 4.6 us per object), so the model assumes them: an estimate that is too high refuses a
 * snapshot, one that is too low gets the container OOM-killed.
 */
import { HeapSample, largeObjectBytes } from './sample';

export const SNAPSHOT_MODEL = {
  bytesPerObject: 44,
  rssBytesPerObject: 1500,
  secondsPerObject: 5e-6,
  fileBytesPerObject: 110,
  /** Fixed part: the serializer's buffers and the snapshot's own bookkeeping. */
  rssBaseBytes: 48 * 1024 * 1024,
  /** Kept free under the container limit besides the estimate. */
  rssMarginBytes: 32 * 1024 * 1024,
  /** With no known memory limit, use at most this share of the machine's free memory. */
  unknownLimitFreeShare: 0.5,
} as const;

export interface SnapshotEstimate {
  readonly objects: number;
  readonly rssRiseBytes: number;
  readonly seconds: number;
  readonly fileBytes: number;
}

/** What writing a snapshot of this heap would cost. Pure: the sample is all it reads. */
export function estimateSnapshot(sample: Pick<HeapSample, 'heapUsed' | 'spaces'>): SnapshotEstimate {
  const large = largeObjectBytes(sample.spaces);
  const objects = Math.max(0, sample.heapUsed - large) / SNAPSHOT_MODEL.bytesPerObject;
  return {
    objects: Math.round(objects),
    rssRiseBytes: Math.round(SNAPSHOT_MODEL.rssBaseBytes + objects * SNAPSHOT_MODEL.rssBytesPerObject),
    seconds: objects * SNAPSHOT_MODEL.secondsPerObject,
    fileBytes: Math.round(objects * SNAPSHOT_MODEL.fileBytesPerObject + large),
  };
}
