/** UnitCases to promtool unit-test files, with every expected annotation rendered in full. */
import { formatDuration, requireResolved, ResolvedConfig } from '../../config';
import { buildRuleGroups } from '../build';
import { rollupTiming } from '../long-window';
import { AlertingRule, isAlertingRule } from '../model';
import { toYaml } from '../render';
import { alertCases } from './alert-cases';
import { testContext } from './context';
import { expandSiteBlocks, expandTemplate } from './go-format';
import { hourlyRollupCases } from './hourly-rollup-cases';
import { longWindow30dCases, longWindowCases } from './long-window-cases';
import { recordCases } from './record-cases';
import { scenarioCases } from './scenario-cases';
import { UnitCase } from './unit-case';

/** The generated test files, by name. */
export const RULE_TEST_FILES = {
  alerts: 'heapwatch-alerts.test.yaml',
  scenarios: 'heapwatch-scenarios.test.yaml',
  records: 'heapwatch-records.test.yaml',
  longWindow: 'heapwatch-long-window.test.yaml',
  hourlyRollups: 'heapwatch-long-window-hourly.test.yaml',
  longWindow30d: 'heapwatch-long-window-30d.test.yaml',
} as const;

/**
 * promtool unit tests for the rules `config` renders, as file name -> YAML text.
 * @param ruleFiles the rule files, relative to where the test files are written
 */
export function renderRuleTests(config: ResolvedConfig, ruleFiles: readonly string[]): Record<string, string> {
  requireResolved(config, 'renderRuleTests()');
  const t = testContext(config);
  const timing = rollupTiming(config);
  const rules = new Map(buildRuleGroups(config).flatMap((g) => g.rules).filter(isAlertingRule).map((r) => [r.alert, r]));
  const file = (cases: UnitCase[], evaluationSeconds = t.step) => toYaml({
    rule_files: [...ruleFiles],
    evaluation_interval: `${evaluationSeconds}s`,
    tests: cases.map((c) => testGroup(c, t.step, rules)),
  });
  return {
    [RULE_TEST_FILES.alerts]: file(alertCases(t)),
    [RULE_TEST_FILES.scenarios]: file(scenarioCases(t)),
    [RULE_TEST_FILES.records]: file(recordCases(t)),
    [RULE_TEST_FILES.longWindow]: file(longWindowCases(t), timing.rollupSeconds),
    [RULE_TEST_FILES.hourlyRollups]: file(hourlyRollupCases(t), timing.hourlySeconds),
    [RULE_TEST_FILES.longWindow30d]: file(longWindow30dCases(t), timing.rollupSeconds),
  };
}

function testGroup(c: UnitCase, step: number, rules: Map<string, AlertingRule>) {
  return {
    name: c.name,
    interval: `${c.interval ?? step}s`,
    input_series: c.series.map((s) => ({ series: s.series, values: s.values })),
    ...(c.alerts.length > 0 && {
      alert_rule_test: c.alerts.map((check) => {
        const rule = rules.get(check.alert);
        if (!rule) throw new Error(`test '${c.name}' checks alert '${check.alert}', which the rules do not define`);
        return {
          eval_time: formatDuration(check.at),
          alertname: check.alert,
          exp_alerts: check.firing.map((f) => ({
            exp_labels: { ...f.labels, ...rule.labels },
            exp_annotations: Object.fromEntries(Object.entries(rule.annotations)
              .map(([k, tmpl]) => [k, expandTemplate(expandSiteBlocks(tmpl, f.site), f.labels, f.value)])),
          })),
        };
      }),
    }),
    ...(c.exprs && c.exprs.length > 0 && {
      promql_expr_test: c.exprs.map((e) => ({
        expr: e.expr,
        eval_time: formatDuration(e.at),
        exp_samples: e.samples.map((s) => ({ labels: s.labels, value: s.value })),
      })),
    }),
  };
}
