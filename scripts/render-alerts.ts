/**
 * Writes alerts/ from src/rules with the default config: the rule file Prometheus loads and the
 * promtool unit tests that run against it. `npm run render`; test/rules/render.unit.test.ts fails on drift.
 */
import { join } from 'node:path';
import { resolveConfig } from '../src/config';
import { RULES_FILE, renderRules, renderRuleTests } from '../src/rules';
import { REPO_ROOT } from '../test/support/repo-root';
import { describeRender, RenderResult, writeRendered } from './write-rendered';

/** What alerts/ holds that is rendered: the rule files at its top and the promtool tests in tests/. README.md and runbooks/ are hand-written. */
export function ownedByRenderAlerts(rel: string): boolean {
  return /^(tests\/)?[^/]+\.yaml$/.test(rel);
}

export function renderAlertsInto(alertsDir: string): RenderResult {
  const config = resolveConfig();
  const files: Record<string, string> = { ...renderRules(config) };
  for (const [name, text] of Object.entries(renderRuleTests(config, [`../${RULES_FILE}`]))) files[`tests/${name}`] = text;
  return writeRendered({ dir: alertsDir, files, owns: ownedByRenderAlerts });
}

if (require.main === module) {
  console.log(describeRender('alerts', renderAlertsInto(join(REPO_ROOT, 'alerts'))));
}
