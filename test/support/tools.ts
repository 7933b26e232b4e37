/**
 * Runs the real Prometheus/Alertmanager tools. A missing tool fails the test with the
 * install command: these checks are never skipped.
 */
import { spawnSync } from 'node:child_process';

export interface ToolResult {
  readonly status: number;
  readonly output: string;
}

export function runTool(tool: string, args: string[], options: { input?: string; cwd?: string } = {}): ToolResult {
  const r = spawnSync(tool, args, { encoding: 'utf8', input: options.input, cwd: options.cwd, timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${tool} is not installed; these tests never skip it. Install: sudo apt-get install -y prometheus prometheus-alertmanager`);
  }
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
