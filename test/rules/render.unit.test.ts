/**
 * alerts/ is what src/rules renders with the default config (src/rules/render.ts, written by
 * `npm run render`): the same files, byte for byte. promtool checks them in rules.test.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config';
import { RULES_FILE, renderRules, renderRuleTests } from '../../src/rules';
import { REPO_ROOT } from '../support/repo-root';

const alertsDir = join(REPO_ROOT, 'alerts');
const committedTests = () => readdirSync(join(alertsDir, 'tests')).filter((f) => f.endsWith('.yaml')).sort();

describe('committed rules (alerts/)', () => {
  it('equal what src/rules renders with the default config, byte for byte', () => {
    const config = resolveConfig();
    const expected: Record<string, string> = { ...renderRules(config) };
    for (const [name, text] of Object.entries(renderRuleTests(config, [`../${RULES_FILE}`]))) expected[`tests/${name}`] = text;
    const committed = [...readdirSync(alertsDir).filter((f) => f.endsWith('.yaml')), ...committedTests().map((f) => `tests/${f}`)];
    assert.deepEqual(committed.sort(), Object.keys(expected).sort(),
      'alerts/ holds other rule or test files than src/rules renders; run `npm run render`, which removes them');
    for (const [rel, text] of Object.entries(expected)) {
      assert.ok(readFileSync(join(alertsDir, rel), 'utf8') === text,
        `alerts/${rel} differs from what src/rules renders with the default config; run \`npm run render\` and commit the result`);
    }
  });
});
