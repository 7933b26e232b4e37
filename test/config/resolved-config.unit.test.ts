/** The one validation gate: every construct and builder takes only what resolveConfig() returned. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { agentEnv, exporterEnv, HeapWatchedApp, nodeOptions } from '../../src/app';
import { ConfigError, DEFAULT_CONFIG, ResolvedConfig, resolveConfig } from '../../src/config';
import { buildMemoryDashboard, renderDashboards } from '../../src/dashboard';
import { buildRuleGroups, renderRules, renderRuleTests } from '../../src/rules';
import {
  Alertmanager, buildAlertmanagerConfig, buildPrometheusConfig, Grafana, grafanaProvisioning, HeapwatchStack, KubeStateMetrics,
  Prometheus, StackNetworkPolicies,
} from '../../src/stack';
import {
  buildAlertmanagerConfigSpec, DashboardConfigMap, HeapwatchAlertmanagerConfig, HeapwatchAppMonitoring, HeapwatchOperatorStack, HeapwatchPodMonitor,
  HeapwatchPrometheusRule,
} from '../../src/operator';
import { OPERATOR_INPUT } from '../support/operator-config';

const DASHBOARDS = { 'team.json': JSON.stringify({ title: 'Team', uid: 'team' }) };

const resolved = resolveConfig();
const operatorResolved = resolveConfig(OPERATOR_INPUT);
const labels = { name: 'x', component: 'y' };

/** Everything that takes a config, by the name its error message gives it, with the resolved config of its mode. */
const USERS: [string, (c: ResolvedConfig) => unknown, ResolvedConfig][] = [
  ['HeapwatchStack', (c) => new HeapwatchStack(Testing.chart(), 'S', { config: c }), resolved],
  ['Prometheus', (c) => new Prometheus(Testing.chart(), 'P', { config: c }), resolved],
  ['Alertmanager', (c) => new Alertmanager(Testing.chart(), 'A', { config: c }), resolved],
  ['Grafana', (c) => new Grafana(Testing.chart(), 'G', { config: c }), resolved],
  ['KubeStateMetrics', (c) => new KubeStateMetrics(Testing.chart(), 'K', { config: c }), resolved],
  ['StackNetworkPolicies', (c) => new StackNetworkPolicies(Testing.chart(), 'N',
    { config: c, prometheus: labels, alertmanager: labels, grafana: labels, kubeStateMetrics: labels }), resolved],
  ['HeapWatchedApp', (c) => new HeapWatchedApp(Testing.chart(), 'W', { config: c }), resolved],
  ['buildRuleGroups()', (c) => buildRuleGroups(c), resolved],
  ['buildRuleGroups()', (c) => renderRules(c), resolved],
  ['renderRuleTests()', (c) => renderRuleTests(c, ['rules.yaml']), resolved],
  ['buildMemoryDashboard()', (c) => buildMemoryDashboard(c), resolved],
  ['buildMemoryDashboard()', (c) => renderDashboards(c), resolved],
  ['buildPrometheusConfig()', (c) => buildPrometheusConfig(c), resolved],
  ['buildAlertmanagerConfig()', (c) => buildAlertmanagerConfig(c), resolved],
  ['grafanaProvisioning()', (c) => grafanaProvisioning(c), resolved],
  ['nodeOptions()', (c) => nodeOptions(c), resolved],
  ['agentEnv()', (c) => agentEnv(c), resolved],
  ['exporterEnv()', (c) => exporterEnv(c), resolved],
  ['HeapwatchOperatorStack', (c) => new HeapwatchOperatorStack(Testing.chart(), 'O', { config: c }), operatorResolved],
  // With dashboards given, nothing renders them from the config: the construct's own gate must refuse the copy.
  ['HeapwatchOperatorStack', (c) => new HeapwatchOperatorStack(Testing.chart(), 'O', { config: c, dashboards: DASHBOARDS }), operatorResolved],
  ['HeapwatchAppMonitoring', (c) => {
    const chart = Testing.chart();
    return new HeapwatchAppMonitoring(chart, 'M', { config: c, app: new HeapWatchedApp(chart, 'W', { config: operatorResolved }) });
  }, operatorResolved],
  ['HeapwatchPrometheusRule', (c) => new HeapwatchPrometheusRule(Testing.chart(), 'R', { config: c }), operatorResolved],
  ['HeapwatchPodMonitor', (c) => new HeapwatchPodMonitor(Testing.chart(), 'PM', { config: c, podSelector: { 'app.kubernetes.io/name': 'x' } }), operatorResolved],
  ['HeapwatchAlertmanagerConfig', (c) => new HeapwatchAlertmanagerConfig(Testing.chart(), 'AC', { config: c }), operatorResolved],
  ['buildAlertmanagerConfigSpec()', (c) => buildAlertmanagerConfigSpec(c), operatorResolved],
  ['DashboardConfigMap', (c) => new DashboardConfigMap(Testing.chart(), 'D', { config: c }), operatorResolved],
  ['DashboardConfigMap', (c) => new DashboardConfigMap(Testing.chart(), 'D', { config: c, dashboards: DASHBOARDS }), operatorResolved],
];

describe('ResolvedConfig', () => {
  it('is what every construct and builder takes: a resolved config passes', () => {
    for (const [name, use, config] of USERS) assert.doesNotThrow(() => use(config), name);
  });

  it('fails if a config is a copy of a resolved one (spread or JSON), naming the construct or builder', () => {
    for (const [name, use, config] of USERS) {
      const copies = { spread: { ...config }, json: JSON.parse(JSON.stringify(config)) as ResolvedConfig };
      for (const [how, copy] of Object.entries(copies)) {
        assert.throws(() => use(copy), (e: unknown) => {
          assert.ok(e instanceof ConfigError, `${how} copy, ${name}: expected ConfigError, got ${e}`);
          assert.deepEqual(e.problems.length, 1);
          assert.ok(e.problems[0].startsWith(`'config' (an object resolveConfig() did not return) given to ${name} must be what resolveConfig() returns`),
            `${how} copy, ${name}: ${e.problems[0]}`);
          return true;
        });
      }
    }
  });

  it('fails if a config is not an object at all, showing the value', () => {
    assert.throws(() => buildRuleGroups(undefined as unknown as ResolvedConfig), /'config' \(undefined\) given to buildRuleGroups\(\)/);
  });

  it('cannot be built by hand in TypeScript (checked by the compiler: an unused @ts-expect-error fails the build)', () => {
    // @ts-expect-error the defaults object is a HeapwatchConfig, not a ResolvedConfig
    assert.throws(() => buildRuleGroups(DEFAULT_CONFIG), ConfigError);
    // @ts-expect-error nor is an object literal of the right shape
    assert.throws(() => new HeapwatchStack(Testing.chart(), 'S', { config: { ...DEFAULT_CONFIG } }), ConfigError);
  });
});
