/**
 * `npm run render` (scripts/render-alerts.ts, scripts/render-dashboards.ts, both through
 * scripts/write-rendered.ts): a folder ends up holding exactly what is rendered among the files
 * its renderer owns; an owned file no longer rendered goes, a hand-written one stays byte for byte.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveConfig } from '../../src/config';
import { renderDashboards } from '../../src/dashboard';
import { RULES_FILE, renderRules, renderRuleTests } from '../../src/rules';
import { renderAlertsInto } from '../../scripts/render-alerts';
import { renderDashboardsInto } from '../../scripts/render-dashboards';
import { writeRendered } from '../../scripts/write-rendered';

const work = mkdtempSync(join(tmpdir(), 'heapwatch-render-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A folder with these files (relative path -> text). */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const HAND_WRITTEN_ALERTS = {
  'README.md': '# alerts/ (hand-written)\n',
  'runbooks/Watchdog.md': '# Watchdog (hand-written)\n',
  'runbooks/OldAlert.md': '# a runbook nobody renders\n',
  'tests/NOTES.md': 'notes beside the tests\n',
};

describe('render-alerts', () => {
  const config = resolveConfig();
  const rendered: Record<string, string> = { ...renderRules(config) };
  for (const [name, text] of Object.entries(renderRuleTests(config, [`../${RULES_FILE}`]))) rendered[`tests/${name}`] = text;

  it('removes the rule and test files it no longer renders, rewrites the others, and never touches a hand-written file', () => {
    const dir = folder('alerts', {
      ...HAND_WRITTEN_ALERTS,
      [RULES_FILE]: 'edited by hand\n',
      'heapwatch-old-rules.yaml': 'groups: []\n',
      'tests/heapwatch-old.test.yaml': 'tests: []\n',
    });
    const result = renderAlertsInto(dir);
    assert.deepEqual(result.removed, ['heapwatch-old-rules.yaml', 'tests/heapwatch-old.test.yaml']);
    assert.deepEqual(listing(dir), [...Object.keys(HAND_WRITTEN_ALERTS), ...Object.keys(rendered)].sort());
    for (const [rel, text] of Object.entries(rendered)) assert.equal(readFileSync(join(dir, rel), 'utf8'), text, rel);
    for (const [rel, text] of Object.entries(HAND_WRITTEN_ALERTS)) assert.equal(readFileSync(join(dir, rel), 'utf8'), text, rel);
  });

  it('creates the folder and its tests/ when they are missing', () => {
    const dir = join(work, 'fresh', 'alerts');
    assert.deepEqual(renderAlertsInto(dir).removed, []);
    assert.deepEqual(listing(dir), Object.keys(rendered).sort());
  });
});

describe('render-dashboards', () => {
  it('removes the dashboard JSON it no longer renders, the same way, and keeps what is not dashboard JSON', () => {
    const dir = folder('dashboards', { 'heapwatch-old.json': '{}\n', 'README.md': 'hand-written\n', 'notes/x.json': '{}\n' });
    const result = renderDashboardsInto(dir);
    const rendered = renderDashboards(resolveConfig());
    assert.deepEqual(result.removed, ['heapwatch-old.json']);
    assert.deepEqual(listing(dir), ['README.md', 'notes/x.json', ...Object.keys(rendered)].sort());
    for (const [rel, text] of Object.entries(rendered)) assert.equal(readFileSync(join(dir, rel), 'utf8'), text, rel);
  });
});

describe('writeRendered', () => {
  it('fails if a renderer returns a file it does not own (it could never remove it), and writes nothing', () => {
    const dir = join(work, 'refused');
    assert.throws(() => writeRendered({ dir, files: { 'a.yaml': 'x', 'README.md': 'y' }, owns: (rel) => rel.endsWith('.yaml') }),
      /returns files it does not own, so it could never remove them: README\.md/);
    assert.throws(() => readdirSync(dir), /ENOENT/);
  });
});
