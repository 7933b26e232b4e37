/**
 * The dominator chain of the largest retainer. The largest retainer is the object that keeps the
 * most memory alive where that memory splits into many objects (no single object it dominates
 * keeps half of it): the Map, array or cache that holds a leak, not the wrappers above it
 * (its closure context, the Map above its table), and never the global object or V8's synthetic
 * roots, which hold everything. Its chain runs from the GC roots down to it, each object keeping
 * the next alive, and what it holds is listed by class.
 */
import type { HeapSnapshot } from './snapshot-parser';

export interface ChainStep {
  /** The object's class (constructor) name, as DevTools shows it. */
  readonly className: string;
  /** The object's own name where it differs from its class (a function's or a string's). */
  readonly name: string;
  /** The snapshot's object id (DevTools' @id). */
  readonly id: number;
  /**
   * The reference that names it: from the previous step's object when that points here directly,
   * else from an object that does (a variable or property name). An object reached from several
   * roots is dominated by the GC roots themselves, which hold no named reference to it.
   */
  readonly edge?: string;
  readonly retainedSize: number;
}

export interface HeldClass {
  readonly className: string;
  readonly count: number;
  readonly retainedSize: number;
}

export interface DominatorChain {
  readonly steps: ChainStep[];
  /** What the last step's object keeps alive directly, by class, largest first. */
  readonly holds: HeldClass[];
}

/** A retainer is where no dominated child keeps at least this share of its memory. */
const SPLIT_SHARE = 0.5;
/** What the whole program hangs from: always above a leak, never the answer. */
const PROGRAM_ROOTS = new Set(['global', 'Window', 'system / NativeContext', '(GC roots)']);

export function dominatorChain(snapshot: HeapSnapshot, holdsTop = 5): DominatorChain {
  const largest = largestRetainer(snapshot);
  if (largest === undefined) return { steps: [], holds: [] };
  const path: number[] = [];
  const root = snapshot.rootNode().nodeIndex;
  for (let index = largest; index !== root; index = snapshot.createNode(index).dominatorIndex()) path.unshift(index);
  const steps = path.map((index, i) => {
    const node = snapshot.createNode(index);
    return { className: node.className(), name: node.name(), id: node.id(), edge: edgeName(snapshot, i === 0 ? root : path[i - 1], index), retainedSize: node.retainedSize() };
  });
  const byClass = new Map<string, { count: number; retainedSize: number }>();
  for (const index of dominated(snapshot, largest)) {
    const child = snapshot.createNode(index);
    const entry = byClass.get(child.className()) ?? { count: 0, retainedSize: 0 };
    entry.count += 1;
    entry.retainedSize += child.retainedSize();
    byClass.set(child.className(), entry);
  }
  const holds = [...byClass].map(([className, e]) => ({ className, ...e }))
    .sort((a, b) => b.retainedSize - a.retainedSize).slice(0, holdsTop);
  return { steps, holds };
}

/** The node index of the largest retainer (see the file comment), or undefined for an empty snapshot. */
function largestRetainer(snapshot: HeapSnapshot): number | undefined {
  const fields = snapshot.nodeFieldCount;
  let best: number | undefined;
  let bestSize = 0;
  for (let ordinal = 0; ordinal < snapshot.nodeCount; ordinal++) {
    const size = snapshot.retainedSizes[ordinal];
    if (size <= bestSize) continue;
    const index = ordinal * fields;
    if (snapshot.nodes.getValue(index + snapshot.nodeTypeOffset) === snapshot.nodeSyntheticType) continue;
    if (PROGRAM_ROOTS.has(snapshot.createNode(index).className())) continue;
    if (dominated(snapshot, index).some((child) => retained(snapshot, child) >= SPLIT_SHARE * size)) continue;
    best = index;
    bestSize = size;
  }
  return best;
}

function retained(snapshot: HeapSnapshot, nodeIndex: number): number {
  return snapshot.retainedSizes[nodeIndex / snapshot.nodeFieldCount];
}

/** The node indexes the dominator tree puts directly under `nodeIndex`. */
function dominated(snapshot: HeapSnapshot, nodeIndex: number): number[] {
  const ordinal = nodeIndex / snapshot.nodeFieldCount;
  return Array.from(snapshot.dominatedNodes.subarray(snapshot.firstDominatedNodeIndex[ordinal], snapshot.firstDominatedNodeIndex[ordinal + 1]));
}

/**
 * The name of a direct reference from `fromIndex` to `toIndex`, else of the first variable or
 * property that refers to `toIndex` (dominated objects are often reached through others).
 */
function edgeName(snapshot: HeapSnapshot, fromIndex: number, toIndex: number): string | undefined {
  for (const edges = snapshot.createNode(fromIndex).edges(); edges.hasNext(); edges.next()) {
    const edge = edges.item();
    if (edge.nodeIndex() === toIndex) return edge.type() === 'element' || edge.type() === 'hidden' ? `[${edge.name()}]` : edge.name();
  }
  for (const retainers = snapshot.createNode(toIndex).retainers(); retainers.hasNext(); retainers.next()) {
    const edge = retainers.item();
    if ((edge.type() === 'context' || edge.type() === 'property') && edge.hasStringName()) return edge.name();
  }
  return undefined;
}
