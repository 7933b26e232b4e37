/** HeapwatchAppMonitoring in a Testing.chart() beside its HeapWatchedApp: its objects, its props' errors, the gate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { HeapWatchedApp } from '../../src/app';
import { DeployMode, resolveConfig } from '../../src/config';
import { DISCOVERY } from '../../src/contract';
import { HeapwatchAppMonitoring } from '../../src/operator';
import { find } from '../support/manifests';
import { assertGateRefuses, modeMismatch, OPERATOR_INPUT } from '../support/operator-config';
import { assertPropsError } from '../support/props-error';

const config = resolveConfig({ ...OPERATOR_INPUT, app: { name: 'checkout', namespace: 'shop', image: 'registry.example.com/checkout:1.0.0' } });

describe('HeapwatchAppMonitoring', () => {
  it('synthesizes the app\'s PodMonitor, selecting its Deployment\'s pods, and its namespace\'s AlertmanagerConfig', () => {
    const chart = Testing.chart();
    const app = new HeapWatchedApp(chart, 'App', { config });
    const monitoring = new HeapwatchAppMonitoring(chart, 'Monitoring', { config, app });
    const objects = Testing.synth(chart);
    const ours = objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'));
    assert.deepEqual(ours.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), ['PodMonitor shop/checkout', 'AlertmanagerConfig shop/heapwatch']);
    const deployment = find(objects, 'Deployment', 'checkout');
    assert.deepEqual(find(objects, 'PodMonitor', 'checkout').spec.selector.matchLabels,
      { ...deployment.spec.selector.matchLabels, [DISCOVERY.podLabel]: DISCOVERY.podLabelValue });
    assert.equal(monitoring.alertmanagerConfig.resource.name, 'heapwatch');
  });

  it('fails if the config is standalone, naming the operator-mode constructs to use instead', () => {
    const standalone = resolveConfig();
    const chart = Testing.chart();
    const app = new HeapWatchedApp(chart, 'App', { config: standalone });
    assertPropsError(() => new HeapwatchAppMonitoring(chart, 'Monitoring', { config: standalone, app }), 'HeapwatchAppMonitoring',
      [modeMismatch('HeapwatchAppMonitoring', DeployMode.STANDALONE, 'HeapwatchStack')]);
  });

  it('fails if the config is a copy of a resolved one (the gate)', () => {
    const chart = Testing.chart();
    const app = new HeapWatchedApp(chart, 'App', { config });
    assertGateRefuses(() => new HeapwatchAppMonitoring(chart, 'Monitoring', { config: JSON.parse(JSON.stringify(config)), app }), 'HeapwatchAppMonitoring');
  });
});
