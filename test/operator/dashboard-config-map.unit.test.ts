/** DashboardConfigMap alone in a Testing.chart(): its object, its props' errors, the gate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { DeployMode, resolveConfig } from '../../src/config';
import { renderDashboards } from '../../src/dashboard';
import { DashboardConfigMap } from '../../src/operator';
import { assertGateRefuses, KPS_RELEASE, modeMismatch, OPERATOR_INPUT, synthOne } from '../support/operator-config';
import { assertPropsError } from '../support/props-error';

const config = resolveConfig(OPERATOR_INPUT);
const dashboards = { 'team.json': JSON.stringify({ title: 'Team', uid: 'team' }) };

describe('DashboardConfigMap', () => {
  it('synthesizes the memory dashboard as a ConfigMap in operator.namespace, labelled for the Grafana sidecar and kube-prometheus-stack', () => {
    const cm = synthOne((chart) => new DashboardConfigMap(chart, 'Dashboards', { config }));
    assert.deepEqual([cm.kind, cm.metadata.namespace, cm.metadata.name], ['ConfigMap', 'monitoring', 'heapwatch-dashboards']);
    assert.deepEqual([cm.metadata.labels.grafana_dashboard, cm.metadata.labels.release], ['1', KPS_RELEASE]);
    assert.deepEqual(cm.data, renderDashboards(config));
  });

  it('holds exactly the dashboards given instead', () => {
    assert.deepEqual(synthOne((chart) => new DashboardConfigMap(chart, 'Dashboards', { config, dashboards })).data, dashboards);
  });

  it('fails if the dashboards are unusable or the config standalone, reporting every problem at once', () => {
    assertPropsError(() => new DashboardConfigMap(Testing.chart(), 'Dashboards', { config: resolveConfig(), dashboards: { 'a b.json': '{', 'x.json': 3 as any } }),
      'DashboardConfigMap', [
        modeMismatch('DashboardConfigMap', DeployMode.STANDALONE, 'HeapwatchStack'),
        /^'dashboards' has a file name \("a b\.json"\)/,
        /^'dashboards\["a b\.json"\]' \("\{"\) must be JSON text, but does not parse/,
        /^'dashboards\["x\.json"\]' \(3\) must be JSON text/,
      ]);
  });

  it('fails if the config is a copy of a resolved one (the gate), dashboards given or not', () => {
    assertGateRefuses(() => new DashboardConfigMap(Testing.chart(), 'Dashboards', { config: { ...config }, dashboards }), 'DashboardConfigMap');
    assertGateRefuses(() => new DashboardConfigMap(Testing.chart(), 'Dashboards', { config: { ...config } }), 'DashboardConfigMap');
  });
});
