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
