/**
 * Runs the real promtool for the rule tests. A missing promtool fails the test with the install
 * command; these checks are never skipped.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool, ToolResult } from './tools';

export function promtool(args: readonly string[], cwd: string): ToolResult {
  return runTool('promtool', args, { cwd, timeoutMs: 120_000 });
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
