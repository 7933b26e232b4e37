/**
 * Runs the real promtool for the rule tests. A missing promtool fails the test with the install
 * command; these checks are never skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PromtoolRun {
  readonly status: number;
  readonly output: string;
}

export function promtool(args: readonly string[], cwd: string): PromtoolRun {
  const r = spawnSync('promtool', [...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('promtool is not installed; the rule tests never skip it. Install: sudo apt-get update && sudo apt-get install -y prometheus');
  }
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** Writes files (relative path -> text) under a fresh temporary directory and returns it. */
export function writeTree(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'heapwatch-rules-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}
