/**
 * The committed rule file and its promtool unit tests: real `promtool check rules` (lint-clean) and
 * `promtool test rules`, and a non-default config whose thresholds must reach the expressions, the
 * `for`s and the generated tests. Drift against what src/rules renders: render.unit.test.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { HeapRatioBasis, resolveConfig } from '../../src/config';
import { AlertingRule, buildRuleGroups, isAlertingRule, RULES_FILE, renderRules, renderRuleTests } from '../../src/rules';
import { REPO_ROOT } from '../support/repo-root';
import { promtool, writeTree } from '../support/rules-promtool';

const alertsDir = join(REPO_ROOT, 'alerts');
const testsDir = join(alertsDir, 'tests');
const committedTests = () => readdirSync(testsDir).filter((f) => f.endsWith('.yaml')).sort();

describe('committed rules (alerts/)', () => {
  it('pass promtool check rules with every lint enabled', () => {
    const r = promtool(['check', 'rules', '--lint=all', '--lint-fatal', RULES_FILE], alertsDir);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS: 25 rules found/);
  });

  it('pass their promtool unit tests', () => {
    const files = committedTests().map((f) => join('tests', f));
    assert.ok(files.length >= 3, `expected the generated test files in alerts/tests, found: ${files.join(', ')}`);
    const r = promtool(['test', 'rules', ...files], alertsDir);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output.match(/SUCCESS/g)?.length, files.length, r.output);
  });

  it('fail their unit tests when a threshold in the rule file is changed by hand', () => {
    const rules = readFileSync(join(alertsDir, RULES_FILE), 'utf8');
    const tampered = rules.replace('heapwatch_heap_high_streak{job="heapwatch-exporter"}) >= 20', 'heapwatch_heap_high_streak{job="heapwatch-exporter"}) >= 21');
    assert.notEqual(tampered, rules, 'the streak expression was not found in the rule file');
    const files: Record<string, string> = { [RULES_FILE]: tampered };
    for (const f of committedTests()) files[`tests/${f}`] = readFileSync(join(testsDir, f), 'utf8');
    const dir = writeTree(files);
    try {
      const r = promtool(['test', 'rules', ...committedTests().map((f) => `tests/${f}`)], dir);
      assert.notEqual(r.status, 0, 'the unit tests passed against a rule file with a changed threshold');
      assert.match(r.output, /alertname: NodejsHeapHighStreak/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rules with a non-default config', () => {
  const config = resolveConfig({
    heap: { highRatio: 0.9, targetRatio: 0.6, streakAlertChecks: 10, livenessFailChecks: 30, checkIntervalSeconds: 10, ratioBasis: HeapRatioBasis.TOTAL },
    alerts: {
      heapHighFor: '10m', leakForecastHorizon: '2h', leakLookback: '30m', leakStartupGrace: '45m', gcPressureRatio: 0.2,
      gcPressureFor: '5m', containerMemoryRatio: 0.8, containerMemoryFor: '2m', oomWindow: '30m', exporterDownFor: '3m',
      agentMissingFor: '10m', runbookBaseUrl: 'https://runbooks.example.com/heapwatch/',
    },
    grafana: { externalUrl: 'https://grafana.example.com/' },
  });
  const rules = new Map(buildRuleGroups(config).flatMap((g) => g.rules).filter(isAlertingRule).map((r) => [r.alert, r]));
  const rule = (name: string): AlertingRule => rules.get(name as AlertingRule['alert']) ?? assert.fail(`no alert ${name}`);
  const files: Record<string, string> = { ...renderRules(config) };
  for (const [name, text] of Object.entries(renderRuleTests(config, [`../${RULES_FILE}`]))) files[`tests/${name}`] = text;
  const dir = writeTree(files);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('propagate into the expressions and `for`s', () => {
    assert.match(rule('NodejsHeapUsageHigh').expr, /\(heapwatch_heap_used_total_ratio\{job="heapwatch-exporter"\}\) > 0\.9$/);
    assert.equal(rule('NodejsHeapUsageHigh').for, '10m');
    assert.match(rule('NodejsHeapHighStreak').expr, />= 10$/);
    assert.match(rule('NodejsHeapLeakSuspected').expr, /\[30m\], 7200\)/);
    assert.match(rule('NodejsHeapLeakSuspected').expr, /process_start_time_seconds\{job="heapwatch-exporter"\}\) >= 2700$/m);
    assert.match(rule('NodejsHeapLeakSuspected').expr, /!= max by \(namespace, app, pod\) \(process_start_time_seconds\{job="heapwatch-exporter"\} offset 30m\)\)$/);
    assert.match(rule('NodejsGcPressureHigh').expr, /> 0\.2$/);
    assert.equal(rule('NodejsGcPressureHigh').for, '5m');
    assert.match(rule('NodejsContainerMemoryNearLimit').expr, /> 0\.8$/);
    assert.equal(rule('NodejsContainerMemoryNearLimit').for, '2m');
    assert.match(rule('NodejsContainerOOMKilled').expr, /restarts_total offset 30m\) or .* < 1860\)\)\) > 0$/m);
    assert.match(rule('NodejsRestartedForHeap').expr, /reason="heap_streak"\} offset 30m\) or .* < 1860\)\)\) > 0$/);
    assert.equal(rule('HeapwatchExporterDown').for, '3m');
    assert.equal(rule('HeapwatchAgentMissing').for, '10m');
    assert.match(rule('NodejsHeapHighStreak').annotations.description, /fires at 10 checks, 1m40s at one check every 10s/);
    assert.match(rule('NodejsHeapUsageHigh').annotations.description, /of its current heap total \(heapTotal\), above 90%/);
    assert.equal(rule('NodejsHeapUsageHigh').annotations.runbook_url, 'https://runbooks.example.com/heapwatch/NodejsHeapUsageHigh.md');
    assert.ok(rule('NodejsHeapUsageHigh').annotations.dashboard_url.startsWith('https://grafana.example.com/d/heapwatch-memory/heapwatch-memory?'));
    const records = parse(files[RULES_FILE]).groups.flatMap((g: { rules: { record?: string; expr: string }[] }) => g.rules);
    assert.equal(records.find((r: { record?: string }) => r.record === 'heapwatch:heap_under_target').expr, 'heapwatch:heap_used_ratio < bool 0.6');
    assert.match(records.find((r: { record?: string }) => r.record === 'heapwatch:heap_used_ratio').expr, /heapwatch_heap_used_total_ratio/);
  });

  it('pass promtool check rules (lint-clean)', () => {
    const r = promtool(['check', 'rules', '--lint=all', '--lint-fatal', RULES_FILE], dir);
    assert.equal(r.status, 0, r.output);
  });

  it('generate promtool tests for that config, which pass against its rules', () => {
    const tests = Object.keys(files).filter((f) => f.startsWith('tests/'));
    const r = promtool(['test', 'rules', ...tests], dir);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output.match(/SUCCESS/g)?.length, tests.length, r.output);
  });

  it('generate tests that carry the new windows and expectations', () => {
    const alertsTests = parse(files['tests/heapwatch-alerts.test.yaml']);
    assert.equal(alertsTests.evaluation_interval, '10s');
    const usage = alertsTests.tests.find((t: { name: string }) => t.name.startsWith('NodejsHeapUsageHigh'));
    // 10 steps at 0.9, then above: quiet at 100s + 10m - 10s, firing at 100s + 10m.
    assert.deepEqual(usage.alert_rule_test.map((a: { eval_time: string }) => a.eval_time), ['11m30s', '11m40s']);
    assert.match(usage.alert_rule_test[1].exp_alerts[0].exp_annotations.description, /is at 95% of its current heap total/);
    const scenarios = parse(files['tests/heapwatch-scenarios.test.yaml']);
    const total = scenarios.tests.find((t: { name: string }) => t.name.startsWith('heapUsed/heapTotal'));
    assert.match(total.name, /ratioBasis total\): the heapTotal ratio pages/);
    const firing = total.alert_rule_test.filter((a: { exp_alerts: unknown[] }) => a.exp_alerts.length > 0).map((a: { alertname: string }) => a.alertname);
    assert.deepEqual(firing, ['NodejsHeapUsageHigh', 'NodejsHeapHighStreak']);
  });

  it('make the default tests fail, so the generated tests really depend on the config', () => {
    const defaults = renderRuleTests(resolveConfig(), [`../${RULES_FILE}`]);
    const mixed = writeTree({ [RULES_FILE]: files[RULES_FILE], 'tests/defaults.test.yaml': defaults['heapwatch-alerts.test.yaml'] });
    try {
      const r = promtool(['test', 'rules', 'tests/defaults.test.yaml'], mixed);
      assert.notEqual(r.status, 0, 'the default tests passed against non-default rules');
    } finally {
      rmSync(mixed, { recursive: true, force: true });
    }
  });
});
