/**
 * The test suite runs the real promtool, amtool, prometheus and alertmanager. When one is
 * missing it fails here, loudly, with the install command; it never skips those tests.
 */
import { spawnSync } from 'node:child_process';

const TOOLS: Record<string, string> = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
};

const missing = Object.keys(TOOLS).filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined);
if (missing.length > 0) {
  const packages = [...new Set(missing.map((t) => TOOLS[t]))].join(' ');
  console.error(`heapwatch tests need ${missing.join(', ')} and will not skip them.\n` +
    `Install Debian's packages:  sudo apt-get update && sudo apt-get install -y ${packages}`);
  process.exit(1);
}
