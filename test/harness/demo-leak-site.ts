/**
 * Where the demo service's leak allocates: the function and the file:line a heap profile or an
 * allocation-site metric should name while the demo leaks (for the profiler's end-to-end checks).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/repo-root';

export const DEMO_SERVICE = path.join(REPO_ROOT, 'test/harness/demo-service.js');

export function demoLeakSite(): { readonly functionName: string; readonly file: string; readonly line: number } {
  const functionName = 'pollMintingQueue';
  const lines = fs.readFileSync(DEMO_SERVICE, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.trimStart().startsWith(`${functionName}(`)) + 1;
  if (line === 0) throw new Error(`${functionName} is not defined in ${DEMO_SERVICE}`);
  return { functionName, file: DEMO_SERVICE, line };
}

/** The leak's site as the agent's metric and `heapwatch report --cwd` print it: the file relative to the app's working directory. */
export function demoLeakSiteFrom(cwd: string): { readonly functionName: string; readonly location: string } {
  const site = demoLeakSite();
  return { functionName: site.functionName, location: `${path.relative(cwd, site.file)}:${site.line}` };
}

/** The allocation site an alert's text names ("... was allocated at fn (file:line)."), or null. */
export function siteNamedIn(text: string): { readonly functionName: string; readonly location: string } | null {
  const named = /of the sampled live heap was allocated at (\S+) \(([^()\s]+:\d+)\)\./.exec(text);
  return named ? { functionName: named[1], location: named[2] } : null;
}
