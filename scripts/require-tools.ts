/**
 * The `npm test` gate: the suite runs the real promtool, amtool, prometheus and alertmanager.
 * When one is missing it fails here, loudly, with the install command; it never skips those tests.
 */
import { MissingToolsError, requireTools, TOOLS } from '../test/support/tools';

try {
  requireTools(TOOLS, 'npm test');
} catch (e) {
  if (!(e instanceof MissingToolsError)) throw e;
  console.error(e.message);
  process.exit(1);
}
