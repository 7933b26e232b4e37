/**
 * The local pipeline runs Debian's real Prometheus and Alertmanager; without them it stops
 * at once with the command that installs them.
 */
import { spawnSync } from 'node:child_process';

const TOOLS: Record<string, string> = { prometheus: 'prometheus', 'prometheus-alertmanager': 'prometheus-alertmanager' };

export class MissingToolsError extends Error {
  constructor(readonly missing: readonly string[]) {
    const packages = [...new Set(missing.map((t) => TOOLS[t]))].join(' ');
    super(`the local heapwatch pipeline needs ${missing.join(' and ')} on PATH (Debian's packages).\n` +
      `Install them:  sudo apt-get update && sudo apt-get install -y ${packages}`);
    this.name = 'MissingToolsError';
  }
}

/** Throws MissingToolsError naming every missing binary and the apt-get command. */
export function requireTools(): void {
  const missing = Object.keys(TOOLS).filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
  if (missing.length > 0) throw new MissingToolsError(missing);
}
