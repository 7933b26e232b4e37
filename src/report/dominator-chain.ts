/**
 * The dominator chain of the largest retainer: from the root of the snapshot's dominator tree,
 * each step goes to the object that alone keeps the most memory alive, until that memory splits
 * into many objects (no single child keeps half of it). The last object is what holds the
 * leak (a Map, an array, a cache object) and what it holds is listed by class.
 */
import type { HeapSnapshot } from './snapshot-parser';

export interface ChainStep {
  /** The object's class (constructor) name, as DevTools shows it. */
  readonly className: string;
  /** The object's own name where it differs from its class (a function's or a string's). */
  readonly name: string;
  /** The snapshot's object id (DevTools' @id). */
  readonly id: number;
  /** The reference from the previous step's object, when it points here directly (a property or variable name). */
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

/** A step keeps going while its largest child keeps at least this share of the step's memory. */
const SPLIT_SHARE = 0.5;
const MAX_STEPS = 40;

export function dominatorChain(snapshot: HeapSnapshot, holdsTop = 5): DominatorChain {
  const steps: ChainStep[] = [];
  let node = snapshot.rootNode();
  let children = dominated(snapshot, node.nodeIndex);
  for (let i = 0; i < MAX_STEPS && children.length > 0; i++) {
    const largest = children.reduce((a, b) => (retained(snapshot, b) > retained(snapshot, a) ? b : a));
    // The synthetic root and the (GC roots) groups are always passed through; a real object ends the chain when its memory splits.
    if (retained(snapshot, largest) < SPLIT_SHARE * node.retainedSize() && !node.isRoot() && node.type() !== 'synthetic') break;
    const child = snapshot.createNode(largest);
    steps.push({
      className: child.className(),
      name: child.name(),
      id: child.id(),
      edge: edgeName(snapshot, node.nodeIndex, largest),
      retainedSize: child.retainedSize(),
    });
    node = child;
    children = dominated(snapshot, largest);
  }
  const byClass = new Map<string, { count: number; retainedSize: number }>();
  for (const index of children) {
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

function retained(snapshot: HeapSnapshot, nodeIndex: number): number {
  return snapshot.retainedSizes[nodeIndex / snapshot.nodeFieldCount];
}

/** The node indexes the dominator tree puts directly under `nodeIndex`. */
function dominated(snapshot: HeapSnapshot, nodeIndex: number): number[] {
  const ordinal = nodeIndex / snapshot.nodeFieldCount;
  return Array.from(snapshot.dominatedNodes.subarray(snapshot.firstDominatedNodeIndex[ordinal], snapshot.firstDominatedNodeIndex[ordinal + 1]));
}

/** The name of a direct reference from `fromIndex` to `toIndex` (dominated objects are often reached through others). */
function edgeName(snapshot: HeapSnapshot, fromIndex: number, toIndex: number): string | undefined {
  for (const edges = snapshot.createNode(fromIndex).edges(); edges.hasNext(); edges.next()) {
    const edge = edges.item();
    if (edge.nodeIndex() === toIndex) return edge.type() === 'element' || edge.type() === 'hidden' ? `[${edge.name()}]` : edge.name();
  }
  return undefined;
}
