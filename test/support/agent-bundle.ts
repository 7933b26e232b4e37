/**
 * The bundled agent, what ships (scripts/bundle.ts), built once per test process into a private
 * temp dir that is removed when the process exits, so a test never runs a stale bundle.
 * Synchronous (the bundler runs in a child process) because the harnesses build env strings
 * synchronously.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AGENT_FILE } from '../../src/contract';
import { REPO_ROOT } from './repo-root';

let bundled: string | undefined;

export function agentBundle(): string {
  if (bundled === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-agent-bundle-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, AGENT_FILE);
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'build/scripts/bundle.js'), '--agent', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bundling the agent failed (${r.status}): ${r.stderr}${r.stdout}`);
    bundled = out;
  }
  return bundled;
}
