/** HeapwatchPrometheusRule alone in a Testing.chart(): its object, its props' errors, the gate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { DeployMode, resolveConfig } from '../../src/config';
import { HeapwatchPrometheusRule } from '../../src/operator';
import { RULES_FILE, renderRules } from '../../src/rules';
import { assertGateRefuses, KPS_RELEASE, modeMismatch, OPERATOR_INPUT, synthOne } from '../support/operator-config';
import { assertPropsError } from '../support/props-error';

const config = resolveConfig(OPERATOR_INPUT);

describe('HeapwatchPrometheusRule', () => {
  it('synthesizes one PrometheusRule in operator.namespace, labelled for kube-prometheus-stack, with renderRules\' groups', () => {
    const rule = synthOne((chart) => new HeapwatchPrometheusRule(chart, 'Rules', { config }));
    assert.deepEqual([rule.apiVersion, rule.kind, rule.metadata.namespace, rule.metadata.name], ['monitoring.coreos.com/v1', 'PrometheusRule', 'monitoring', 'heapwatch']);
    assert.equal(rule.metadata.labels.release, KPS_RELEASE);
    assert.equal(rule.metadata.labels['app.kubernetes.io/part-of'], 'heapwatch');
    assert.deepEqual(rule.spec.groups, parse(renderRules(config)[RULES_FILE]).groups);
  });

  it('fails if the config is standalone (its rules would read kube_pod_labels, which kube-prometheus-stack lacks)', () => {
    assertPropsError(() => new HeapwatchPrometheusRule(Testing.chart(), 'Rules', { config: resolveConfig() }), 'HeapwatchPrometheusRule',
      [modeMismatch('HeapwatchPrometheusRule', DeployMode.STANDALONE, 'HeapwatchStack')]);
  });

  it('fails if the config is a copy of a resolved one (the gate)', () => {
    assertGateRefuses(() => new HeapwatchPrometheusRule(Testing.chart(), 'Rules', { config: { ...config } }), 'HeapwatchPrometheusRule');
  });
});
