/** HeapwatchPodMonitor alone in a Testing.chart(): its object, its props' errors, the gate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { DeployMode, resolveConfig } from '../../src/config';
import { DISCOVERY, JOBS } from '../../src/contract';
import { HeapwatchPodMonitor } from '../../src/operator';
import { assertGateRefuses, KPS_RELEASE, modeMismatch, OPERATOR_INPUT, synthOne } from '../support/operator-config';
import { assertPropsError } from '../support/props-error';

const config = resolveConfig({ ...OPERATOR_INPUT, app: { name: 'checkout', namespace: 'shop' } });
const podSelector = { 'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/instance': 'checkout' };

describe('HeapwatchPodMonitor', () => {
  it('synthesizes a PodMonitor in the app\'s namespace: its pods with the watched label, on hw-metrics, as the exporter job', () => {
    const pm = synthOne((chart) => new HeapwatchPodMonitor(chart, 'PodMonitor', { config, podSelector }));
    assert.deepEqual([pm.kind, pm.metadata.namespace, pm.metadata.name, pm.metadata.labels.release], ['PodMonitor', 'shop', 'checkout', KPS_RELEASE]);
    assert.deepEqual(pm.spec.selector, { matchLabels: { ...podSelector, [DISCOVERY.podLabel]: DISCOVERY.podLabelValue } });
    assert.deepEqual(pm.spec.namespaceSelector, { matchNames: ['shop'] });
    const [endpoint] = pm.spec.podMetricsEndpoints;
    assert.deepEqual([endpoint.port, endpoint.interval, endpoint.relabelings[0].replacement], [DISCOVERY.portName, '15s', JOBS.exporter]);
  });

  it('fails if podSelector is not Kubernetes label syntax, or the config standalone, reporting every problem at once', () => {
    assertPropsError(() => new HeapwatchPodMonitor(Testing.chart(), 'PodMonitor', {
      config: resolveConfig(), podSelector: { 'app.kubernetes.io/name': 'check out', '-bad': 'x', 'tier': 'web' },
    }), 'HeapwatchPodMonitor', [
      modeMismatch('HeapwatchPodMonitor', DeployMode.STANDALONE, 'HeapwatchStack'),
      /^'podSelector\.app\.kubernetes\.io\/name' \("check out"\) must be a Kubernetes label value/,
      /^'podSelector' key \("-bad"\) must be a Kubernetes label name/,
    ]);
  });

  it('fails if podSelector is empty or not an object: it would select every watched pod of the namespace', () => {
    for (const bad of [{}, undefined, 'checkout']) {
      assertPropsError(() => new HeapwatchPodMonitor(Testing.chart(), 'PodMonitor', { config, podSelector: bad as any }), 'HeapwatchPodMonitor',
        [/^'podSelector' \(.*\) must be an object of pod label names to values that selects the app's pods/]);
    }
  });

  it('fails if the config is a copy of a resolved one (the gate)', () => {
    assertGateRefuses(() => new HeapwatchPodMonitor(Testing.chart(), 'PodMonitor', { config: { ...config }, podSelector }), 'HeapwatchPodMonitor');
  });
});
