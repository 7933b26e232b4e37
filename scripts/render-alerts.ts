/**
 * Writes alerts/ from src/rules with the default config: the rule file Prometheus loads and the
 * promtool unit tests that run against it. `npm run render`; test/rules/rules.test.ts fails on drift.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../src/config';
import { RULES_FILE, renderRules, renderRuleTests } from '../src/rules';

const root = join(__dirname, '..', '..');
const alertsDir = join(root, 'alerts');
const testsDir = join(alertsDir, 'tests');

const config = resolveConfig();
mkdirSync(testsDir, { recursive: true });
const written: string[] = [];
for (const [name, text] of Object.entries(renderRules(config))) {
  writeFileSync(join(alertsDir, name), text);
  written.push(`alerts/${name}`);
}
for (const [name, text] of Object.entries(renderRuleTests(config, [`../${RULES_FILE}`]))) {
  writeFileSync(join(testsDir, name), text);
  written.push(`alerts/tests/${name}`);
}
console.log(`render-alerts: wrote ${written.join(', ')}`);
