import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { resolveConfig } from '../../src/config';
import { StackNetworkPolicies } from '../../src/stack';
import { find, findAll } from '../support/manifests';

const who = (name: string) => ({ name, component: 'test' });

describe('StackNetworkPolicies', () => {
  it('gives each component one policy that restricts both directions and selects only its pods', () => {
    const chart = Testing.chart();
    new StackNetworkPolicies(chart, 'Policies', {
      config: resolveConfig({ namespace: 'mon' }),
      prometheus: who('p'), alertmanager: who('a'), grafana: who('g'), kubeStateMetrics: who('k'),
    });
    const objects = Testing.synth(chart);
    assert.deepEqual(findAll(objects, 'NetworkPolicy').map((p) => p.metadata.name).sort(), ['a', 'g', 'k', 'p']);
    for (const name of ['a', 'g', 'k', 'p']) {
      const policy = find(objects, 'NetworkPolicy', name);
      assert.equal(policy.metadata.namespace, 'mon');
      assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
      assert.deepEqual(policy.spec.podSelector.matchLabels, { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': 'heapwatch' });
    }
    // Grafana may reach only DNS and Prometheus, on its port.
    const grafanaEgress = find(objects, 'NetworkPolicy', 'g').spec.egress;
    assert.equal(grafanaEgress.length, 2);
    assert.deepEqual(grafanaEgress[1], { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'p', 'app.kubernetes.io/instance': 'heapwatch' } } }], ports: [{ protocol: 'TCP', port: 9090 }] });
  });
});
