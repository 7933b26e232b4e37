/**
 * `heapwatch report FILE.heapsnapshot`: the constructors (classes) that keep the most memory
 * alive and the most objects, and the dominator chain of the largest retainer.
 */
import { dominatorChain, type DominatorChain } from './dominator-chain';
import type { HeapSnapshot } from './snapshot-parser';
import { columns, fit, formatBytes, formatCount, formatShare } from './text-layout';

export interface ClassSummary {
  readonly name: string;
  readonly count: number;
  readonly selfSize: number;
  /** What the class's objects keep alive, each object counted once (DevTools' "Retained size"). */
  readonly retainedSize: number;
}

export interface SnapshotSummary {
  readonly totalSize: number;
  readonly nodeCount: number;
  readonly byRetained: ClassSummary[];
  readonly byCount: ClassSummary[];
  readonly chain: DominatorChain;
}

export function summarizeSnapshot(snapshot: HeapSnapshot, top: number): SnapshotSummary {
  const classes: ClassSummary[] = Object.values(snapshot.aggregatesWithFilter({} as Parameters<HeapSnapshot['aggregatesWithFilter']>[0]))
    .map((a) => ({ name: a.name, count: a.count, selfSize: a.self, retainedSize: a.maxRet }));
  return {
    totalSize: snapshot.totalSize,
    nodeCount: snapshot.nodeCount,
    byRetained: [...classes].sort((a, b) => b.retainedSize - a.retainedSize).slice(0, top),
    byCount: [...classes].sort((a, b) => b.count - a.count).slice(0, Math.min(top, 5)),
    chain: dominatorChain(snapshot),
  };
}

export function renderSnapshotSummary(file: string, s: SnapshotSummary): string {
  const lines = [
    `heap snapshot ${file}: ${formatBytes(s.totalSize)} in ${formatCount(s.nodeCount)} objects`,
    '',
    'Constructors by retained size',
    ...columns(['retained', 'share', 'self', 'objects', 'constructor'], s.byRetained.map((c) =>
      [formatBytes(c.retainedSize), formatShare(c.retainedSize, s.totalSize), formatBytes(c.selfSize), formatCount(c.count), fit(c.name, 40)])),
    '',
    'Constructors by object count',
    ...columns(['objects', 'self', 'constructor'], s.byCount.map((c) => [formatCount(c.count), formatBytes(c.selfSize), fit(c.name, 50)])),
    '',
    'Largest retainer, its dominator chain from the GC roots (each keeps the next alive)',
    ...columns(['retained', 'reference -> object'], s.chain.steps.map((step) => [formatBytes(step.retainedSize), describeStep(step)])),
  ];
  if (s.chain.holds.length > 0) {
    lines.push('  which holds:', ...columns(['retained', 'objects', 'constructor'],
      s.chain.holds.map((h) => [formatBytes(h.retainedSize), formatCount(h.count), fit(h.className, 50)])));
  }
  return `${lines.join('\n')}\n`;
}

function describeStep(step: DominatorChain['steps'][number]): string {
  const via = step.edge === undefined ? '' : `${fit(step.edge, 24)} -> `;
  const named = step.name && step.name !== step.className ? ` ${JSON.stringify(fit(step.name, 30))}` : '';
  return `${via}${fit(step.className, 30)}${named} @${step.id}`;
}
