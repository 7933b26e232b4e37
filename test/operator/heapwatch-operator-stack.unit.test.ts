/** HeapwatchOperatorStack alone in a Testing.chart(): its objects, its props' errors, the gate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { DeployMode, resolveConfig } from '../../src/config';
import { renderDashboards } from '../../src/dashboard';
import { HeapwatchOperatorStack } from '../../src/operator';
import { RULES_FILE, renderRules } from '../../src/rules';
import { parse } from 'yaml';
import { find } from '../support/manifests';
import { assertGateRefuses, KPS_RELEASE, modeMismatch, OPERATOR_INPUT } from '../support/operator-config';
import { assertPropsError } from '../support/props-error';

const config = resolveConfig({ ...OPERATOR_INPUT, operator: { release: KPS_RELEASE, namespace: 'observability' } });

describe('HeapwatchOperatorStack', () => {
  it('synthesizes the PrometheusRule and the dashboard ConfigMap, in operator.namespace, and nothing else', () => {
    const chart = Testing.chart();
    new HeapwatchOperatorStack(chart, 'Operator', { config });
    const objects = Testing.synth(chart);
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
      ['PrometheusRule observability/heapwatch', 'ConfigMap observability/heapwatch-dashboards']);
    assert.deepEqual(find(objects, 'PrometheusRule', 'heapwatch').spec.groups, parse(renderRules(config)[RULES_FILE]).groups);
    assert.deepEqual(find(objects, 'ConfigMap', 'heapwatch-dashboards').data, renderDashboards(config));
  });

  it('replaces heapwatch\'s dashboards with the dashboards given, still labelled for the Grafana sidecar', () => {
    const board = JSON.stringify({ title: 'Team', uid: 'team' });
    const chart = Testing.chart();
    new HeapwatchOperatorStack(chart, 'Operator', { config, dashboards: { 'team.json': board } });
    const cm = find(Testing.synth(chart), 'ConfigMap', 'heapwatch-dashboards');
    assert.deepEqual(cm.data, { 'team.json': board });
    assert.equal(cm.metadata.labels.grafana_dashboard, '1');
  });

  it('fails if the config is standalone and the dashboards are unusable, reporting both at once', () => {
    assertPropsError(() => new HeapwatchOperatorStack(Testing.chart(), 'Operator', {
      config: resolveConfig(), dashboards: { 'home.yaml': '{}', 'team.json': '[]' },
    }), 'HeapwatchOperatorStack', [
      modeMismatch('HeapwatchOperatorStack', DeployMode.STANDALONE, 'HeapwatchStack'),
      /^'dashboards' has a file name \("home\.yaml"\) that must end in "\.json"/,
      /^'dashboards\["team\.json"\]' \("\[\]"\) must be a Grafana dashboard: a JSON object/,
    ]);
  });

  it('fails if the config is a copy of a resolved one (the gate)', () => {
    assertGateRefuses(() => new HeapwatchOperatorStack(Testing.chart(), 'Operator', { config: { ...config } }), 'HeapwatchOperatorStack');
  });
});
