import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { resolveConfig } from '../../src/config';
import { KSM_RESOURCES, KubeStateMetrics } from '../../src/stack';
import { container, find } from '../support/manifests';

describe('KubeStateMetrics', () => {
  it('lists and watches only the resources it reports on, with the configured image', () => {
    const chart = Testing.chart();
    new KubeStateMetrics(chart, 'Ksm', { config: resolveConfig({ namespace: 'mon', kubeStateMetrics: { image: 'registry.example/ksm:v9.9.9' } }) });
    const objects = Testing.synth(chart);
    const deployment = find(objects, 'Deployment', 'kube-state-metrics');
    assert.equal(deployment.metadata.namespace, 'mon');
    const ksm = container(deployment, 'kube-state-metrics');
    assert.equal(ksm.image, 'registry.example/ksm:v9.9.9');
    assert.ok(ksm.args.includes(`--resources=${Object.values(KSM_RESOURCES).flat().join(',')}`));
    const role = find(objects, 'ClusterRole', 'heapwatch-kube-state-metrics');
    assert.deepEqual(role.rules, Object.entries(KSM_RESOURCES).map(([group, resources]) => ({ apiGroups: [group], resources, verbs: ['list', 'watch'] })));
    assert.deepEqual(find(objects, 'ClusterRoleBinding', 'heapwatch-kube-state-metrics').subjects,
      [{ kind: 'ServiceAccount', name: 'kube-state-metrics', namespace: 'mon' }]);
  });
});
