/**
 * `heapwatch report BEFORE.heapsnapshot AFTER.heapsnapshot`: what grew between two snapshots of
 * one process, by constructor, from DevTools' comparison (objects matched by snapshot id).
 */
import type { ClassDiff, SnapshotTotals } from './snapshot-parser';
import { columns, fit, formatBytes, formatCount, formatCountDelta, formatDelta } from './text-layout';

export interface SnapshotDiffSummary {
  readonly before: SnapshotTotals;
  readonly after: SnapshotTotals;
  /** Classes that grew in size, most first. */
  readonly grown: ClassDiff[];
  /** Classes that shrank, most first. */
  readonly shrunk: ClassDiff[];
}

export function summarizeDiff(diff: { before: SnapshotTotals; after: SnapshotTotals; classes: ClassDiff[] }, top: number): SnapshotDiffSummary {
  return {
    before: diff.before,
    after: diff.after,
    grown: diff.classes.filter((c) => c.sizeDelta > 0).sort((a, b) => b.sizeDelta - a.sizeDelta).slice(0, top),
    shrunk: diff.classes.filter((c) => c.sizeDelta < 0).sort((a, b) => a.sizeDelta - b.sizeDelta).slice(0, Math.min(top, 3)),
  };
}

export function renderDiff(beforeFile: string, afterFile: string, d: SnapshotDiffSummary): string {
  const table = (rows: ClassDiff[]) => columns(['size', 'objects', 'new', 'freed', 'constructor'], rows.map((c) =>
    [formatDelta(c.sizeDelta), formatCountDelta(c.countDelta), formatCount(c.addedCount), formatCount(c.removedCount), fit(c.name, 40)]));
  const lines = [
    `before ${beforeFile}: ${formatBytes(d.before.totalSize)} in ${formatCount(d.before.nodeCount)} objects`,
    `after  ${afterFile}: ${formatBytes(d.after.totalSize)} in ${formatCount(d.after.nodeCount)} objects`,
    `change: ${formatDelta(d.after.totalSize - d.before.totalSize)}, ${formatCountDelta(d.after.nodeCount - d.before.nodeCount)} objects`,
    '',
    'Grown constructors (self size of objects new in "after" minus those freed since "before")',
    ...(d.grown.length > 0 ? table(d.grown) : ['  none']),
  ];
  if (d.shrunk.length > 0) lines.push('', 'Shrunk', ...table(d.shrunk));
  return `${lines.join('\n')}\n`;
}
