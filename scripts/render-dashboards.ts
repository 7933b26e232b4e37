/**
 * Writes dashboards/ from src/dashboard with the default config (part of `npm run render`).
 * Stale .json files that the builder no longer renders are removed, so dashboards/ is exactly
 * what renderDashboards() returns and the drift test stays meaningful.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../src/config';
import { renderDashboards } from '../src/dashboard';

// build/scripts/render-dashboards.js -> the repository root.
const ROOT = resolve(__dirname, '..', '..');
const OUT_DIR = join(ROOT, 'dashboards');

const files = renderDashboards(resolveConfig());
mkdirSync(OUT_DIR, { recursive: true });
for (const stale of readdirSync(OUT_DIR).filter((f) => f.endsWith('.json') && !(f in files))) {
  rmSync(join(OUT_DIR, stale));
  console.log(`removed dashboards/${stale}`);
}
for (const [name, text] of Object.entries(files)) {
  writeFileSync(join(OUT_DIR, name), text);
  console.log(`wrote dashboards/${name} (${text.length} bytes)`);
}
