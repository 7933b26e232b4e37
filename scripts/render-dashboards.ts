/**
 * Writes dashboards/ from src/dashboard with the default config (part of `npm run render`);
 * test/dashboard/dashboard.unit.test.ts fails on drift.
 */
import { join } from 'node:path';
import { resolveConfig } from '../src/config';
import { renderDashboards } from '../src/dashboard';
import { REPO_ROOT } from '../test/support/repo-root';
import { describeRender, RenderResult, writeRendered } from './write-rendered';

/** What dashboards/ holds that is rendered: the dashboard JSON files at its top. */
export function ownedByRenderDashboards(rel: string): boolean {
  return /^[^/]+\.json$/.test(rel);
}

export function renderDashboardsInto(dashboardsDir: string): RenderResult {
  return writeRendered({ dir: dashboardsDir, files: renderDashboards(resolveConfig()), owns: ownedByRenderDashboards });
}

if (require.main === module) {
  console.log(describeRender('dashboards', renderDashboardsInto(join(REPO_ROOT, 'dashboards'))));
}
