/**
 * Heap snapshots through heap-snapshot-toolkit: Chrome DevTools' own heap snapshot model,
 * extracted into one dependency-free package (why this one: README, "heapwatch report").
 * The package is ESM; this CommonJS build loads it with import(), which Node 20 and later run.
 */
import { createReadStream } from 'node:fs';
import { parsing } from './input';

type Toolkit = typeof import('heap-snapshot-toolkit');
export type HeapSnapshot = Awaited<ReturnType<Toolkit['parse']>>;

/** One class's change between two snapshots, as DevTools' comparison view computes it (self sizes). */
export interface ClassDiff {
  readonly name: string;
  readonly addedCount: number;
  readonly removedCount: number;
  readonly addedSize: number;
  readonly removedSize: number;
  readonly countDelta: number;
  readonly sizeDelta: number;
}

export interface SnapshotTotals {
  readonly nodeCount: number;
  readonly totalSize: number;
}

function toolkit(): Promise<Toolkit> {
  return import('heap-snapshot-toolkit');
}

function stream(file: string) {
  return createReadStream(file, 'utf-8');
}

/** Parses one .heapsnapshot file (the whole model: dominators, retained sizes). */
export async function loadSnapshot(file: string): Promise<HeapSnapshot> {
  const { parse } = await toolkit();
  return parsing(file, 'heap snapshot', () => parse(stream(file)));
}

/**
 * Diffs two snapshots of one process by object id. The toolkit reads them one after the other
 * and keeps only the first one's per-class ids while reading the second, so peak memory is that
 * of the larger file, not both.
 */
export async function diffSnapshots(before: string, after: string): Promise<{ before: SnapshotTotals; after: SnapshotTotals; classes: ClassDiff[] }> {
  const { diffFromStreams } = await toolkit();
  const steps = diffFromStreams(stream(before), stream(after));
  const next = async (file: string) => {
    const step = await parsing(file, 'heap snapshot', () => steps.next());
    if (step.done) throw new Error('the snapshot diff ended early');
    return step.value.result as unknown;
  };
  const totals = (s: unknown): SnapshotTotals => {
    const snapshot = s as HeapSnapshot;
    return { nodeCount: snapshot.nodeCount, totalSize: snapshot.totalSize };
  };
  const first = totals(await next(before));
  const second = totals(await next(after));
  const diff = (await next(after)) as Record<string, ClassDiff>;
  return { before: first, after: second, classes: Object.values(diff) };
}
