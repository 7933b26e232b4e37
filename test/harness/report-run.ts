/**
 * `heapwatch report FILE.heapprofile` as a user runs it: the package's bin (built) in a child
 * process, its printed top sites read back from the text, each with its callers.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/repo-root';

/** The package's `heapwatch` bin, as package.json names it. */
export const HEAPWATCH_BIN = path.join(REPO_ROOT, 'build/src/cli/heapwatch.js');

export interface ReportedSite {
  /** `function (file:line)`. */
  readonly site: string;
  /** Its callers as printed under it, nearest first. */
  readonly callers: string[];
}

export interface ReportedSites {
  readonly sites: ReportedSite[];
  /** Everything it printed, for a failure message. */
  readonly output: string;
}

/** Runs `heapwatch report <file> --cwd <cwd>` and reads its top live allocation sites. */
export async function reportedSites(file: string, cwd: string): Promise<ReportedSites> {
  const { stdout } = await promisify(execFile)(process.execPath, [HEAPWATCH_BIN, 'report', file, '--cwd', cwd], { timeout: 60_000 });
  const sites: ReportedSite[] = [];
  for (const line of stdout.split('\n')) {
    // "   1.  49.5 MiB   86.1 %  fn (file:line)" then "<- caller" lines under it.
    const site = /^\s+\d+\.\s+\S+ \S+\s+[\d.]+ ?%\s+(.+)$/.exec(line);
    const caller = /^\s+<- (.+)$/.exec(line);
    if (site) sites.push({ site: site[1], callers: [] });
    else if (caller && sites.length > 0 && !caller[1].startsWith('... ')) sites[sites.length - 1].callers.push(caller[1]);
  }
  return { sites, output: stdout };
}
