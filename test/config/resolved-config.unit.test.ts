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

const resolved = resolveConfig();
const labels = { name: 'x', component: 'y' };

/** Everything that takes a config, by the name its error message gives it. */
const USERS: [string, (c: ResolvedConfig) => unknown][] = [
  ['HeapwatchStack', (c) => new HeapwatchStack(Testing.chart(), 'S', { config: c })],
  ['Prometheus', (c) => new Prometheus(Testing.chart(), 'P', { config: c })],
  ['Alertmanager', (c) => new Alertmanager(Testing.chart(), 'A', { config: c })],
  ['Grafana', (c) => new Grafana(Testing.chart(), 'G', { config: c })],
  ['KubeStateMetrics', (c) => new KubeStateMetrics(Testing.chart(), 'K', { config: c })],
  ['StackNetworkPolicies', (c) => new StackNetworkPolicies(Testing.chart(), 'N',
    { config: c, prometheus: labels, alertmanager: labels, grafana: labels, kubeStateMetrics: labels })],
  ['HeapWatchedApp', (c) => new HeapWatchedApp(Testing.chart(), 'W', { config: c })],
  ['buildRuleGroups()', (c) => buildRuleGroups(c)],
  ['buildRuleGroups()', (c) => renderRules(c)],
  ['renderRuleTests()', (c) => renderRuleTests(c, ['rules.yaml'])],
  ['buildMemoryDashboard()', (c) => buildMemoryDashboard(c)],
  ['buildMemoryDashboard()', (c) => renderDashboards(c)],
  ['buildPrometheusConfig()', (c) => buildPrometheusConfig(c)],
  ['buildAlertmanagerConfig()', (c) => buildAlertmanagerConfig(c)],
  ['grafanaProvisioning()', (c) => grafanaProvisioning(c)],
  ['nodeOptions()', (c) => nodeOptions(c)],
  ['agentEnv()', (c) => agentEnv(c)],
  ['exporterEnv()', (c) => exporterEnv(c)],
];

describe('ResolvedConfig', () => {
  it('is what every construct and builder takes: a resolved config passes', () => {
    for (const [name, use] of USERS) assert.doesNotThrow(() => use(resolved), name);
  });

  it('fails if a config is a copy of a resolved one (spread or JSON), naming the construct or builder', () => {
    const copies = { spread: { ...resolved }, json: JSON.parse(JSON.stringify(resolved)) as ResolvedConfig };
    for (const [how, copy] of Object.entries(copies)) {
      for (const [name, use] of USERS) {
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
