/**
 * `heapwatch report FILE...`: picks the report from what the files are (one snapshot, two
 * snapshots, one profile) and returns its text.
 */
import { loadProfile } from './heap-profile';
import { detectKind, ReportInputError } from './input';
import { renderProfileSummary, summarizeProfile } from './profile-summary';
import { renderDiff, summarizeDiff } from './snapshot-diff';
import { renderSnapshotSummary, summarizeSnapshot } from './snapshot-summary';
import { diffSnapshots, loadSnapshot } from './snapshot-parser';

export interface ReportOptions {
  /** Rows per table. */
  readonly top: number;
  /** The app's working directory: a profile's paths are shown relative to it. */
  readonly cwd?: string;
}

export async function report(files: readonly string[], options: ReportOptions): Promise<string> {
  const kinds = files.map(detectKind);
  if (files.length === 1 && kinds[0] === 'heapprofile') {
    return renderProfileSummary(files[0], summarizeProfile(loadProfile(files[0]), options.top, options.cwd));
  }
  if (files.length === 1) {
    return renderSnapshotSummary(files[0], summarizeSnapshot(await loadSnapshot(files[0]), options.top));
  }
  const profile = files.findIndex((_, i) => kinds[i] !== 'heapsnapshot');
  if (profile >= 0) throw new ReportInputError(files[profile], 'is a sampling heap profile; comparing takes two heap snapshots (.heapsnapshot) of one process');
  return renderDiff(files[0], files[1], summarizeDiff(await diffSnapshots(files[0], files[1]), options.top));
}
