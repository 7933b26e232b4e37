/**
 * The Debian tools heapwatch runs for real, and the package each comes from. The one place that
 * knows both, for the `npm test` gate (scripts/require-tools.ts), the demo and end-to-end harness
 * (test/harness/local-stack.ts) and every test that runs a tool (runTool). A missing tool stops
 * with the apt-get command that installs it; nothing is ever skipped.
 */
import { spawnSync } from 'node:child_process';

/** Each tool and the Debian package that installs it. */
export const TOOL_PACKAGES = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
} as const;

export type Tool = keyof typeof TOOL_PACKAGES;

/** Every tool the test suite runs. */
export const TOOLS = Object.keys(TOOL_PACKAGES) as Tool[];

/** The tools of `tools` that cannot be started from PATH. */
export function missingTools(tools: readonly Tool[] = TOOLS): Tool[] {
  return tools.filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined);
}

/** The command that installs the packages of `tools`, each package once. */
export function installCommand(tools: readonly Tool[]): string {
  const packages = [...new Set(tools.map((tool) => TOOL_PACKAGES[tool]))];
  return `sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`;
}

export class MissingToolsError extends Error {
  /** @param who what cannot run without them, e.g. 'the local heapwatch pipeline' */
  constructor(readonly missing: readonly Tool[], who: string) {
    const names = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`;
    super(`${who} needs ${names} on PATH (Debian's packages) and never skips ${missing.length === 1 ? 'it' : 'them'}.\n` +
      `Install: ${installCommand(missing)}`);
    this.name = 'MissingToolsError';
  }
}

/** Throws MissingToolsError naming every missing tool of `tools` and the apt-get command. */
export function requireTools(tools: readonly Tool[], who: string): void {
  const missing = missingTools(tools);
  if (missing.length > 0) throw new MissingToolsError(missing, who);
}

export interface ToolResult {
  readonly status: number;
  /** stdout then stderr. */
  readonly output: string;
}

export interface RunToolOptions {
  readonly input?: string;
  readonly cwd?: string;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

/** Runs `tool` to completion. A missing tool throws MissingToolsError, so the test fails. */
export function runTool(tool: Tool, args: readonly string[], options: RunToolOptions = {}): ToolResult {
  const r = spawnSync(tool, [...args], { encoding: 'utf8', input: options.input, cwd: options.cwd, timeout: options.timeoutMs ?? 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingToolsError([tool], 'this test');
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
