import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultManifests } from '../../charts/default-app';
import { SAMPLE_APP_COMMAND, SAMPLE_APP_NAMESPACE } from '../../charts/sample-app';
import { DEFAULT_CONFIG, HeapwatchConfigInput } from '../../src/config';
import { DISCOVERY } from '../../src/contract';
import { K8sObject } from '../support/k8s-object';
import { selects } from '../support/k8s-selector';

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

const appDeployment = (objects: K8sObject[], name = DEFAULT_CONFIG.app.name) =>
  objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;
const appContainer = (input: HeapwatchConfigInput, name?: string) =>
  appDeployment(defaultManifests(input), name).spec.template.spec.containers[0];

describe('the sample app', () => {
  it(`lives in its own namespace, ${SAMPLE_APP_NAMESPACE}, created (restricted) before anything in it; nothing goes into default`, () => {
    const objects = defaultManifests();
    for (const o of objects) {
      if (CLUSTER_SCOPED.has(o.kind)) continue;
      assert.ok(o.metadata.namespace, `${o.kind} ${o.metadata.name} names its namespace`);
      assert.notEqual(o.metadata.namespace, 'default', `${o.kind} ${o.metadata.name} is not in default`);
    }
    const sample = objects.filter((o) => o.metadata.namespace === SAMPLE_APP_NAMESPACE).map((o) => o.kind).sort();
    // The three ConfigMaps carry heapwatch's code (the agent, the sidecar's two gzip parts).
    assert.deepEqual(sample, ['ConfigMap', 'ConfigMap', 'ConfigMap', 'Deployment', 'NetworkPolicy', 'Service']);
    const first = objects.findIndex((o) => o.metadata.namespace === SAMPLE_APP_NAMESPACE);
    const ns = objects.findIndex((o) => o.kind === 'Namespace' && o.metadata.name === SAMPLE_APP_NAMESPACE);
    assert.ok(ns >= 0 && ns < first, 'the Namespace comes before the objects in it');
    assert.equal(objects[ns].metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
  });

  it('is still scraped: Prometheus may reach its sidecar, and its NetworkPolicy lets Prometheus in', () => {
    const objects = defaultManifests();
    const pod = appDeployment(objects).spec.template.metadata.labels;
    const prometheusPod = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus')!.spec.template.metadata.labels;
    const port = DEFAULT_CONFIG.exporter.port;
    const egress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'prometheus')!.spec.egress as K8sObject[];
    assert.ok(egress.some((rule) => rule.ports.some((p: K8sObject) => p.port === port) &&
      rule.to.some((peer: K8sObject) => selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': SAMPLE_APP_NAMESPACE }) && selects(peer.podSelector, pod))),
    `Prometheus may send to the sample's pods in ${SAMPLE_APP_NAMESPACE} on ${port}`);
    assert.equal(pod[DISCOVERY.podLabel], DISCOVERY.podLabelValue);
    const ingress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === SAMPLE_APP_NAMESPACE)!.spec.ingress as K8sObject[];
    assert.ok(ingress.some((rule) => rule.ports.some((p: K8sObject) => p.port === port) &&
      rule.from?.some((peer: K8sObject) => selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': DEFAULT_CONFIG.namespace }) && selects(peer.podSelector, prometheusPod))),
    'the sample lets Prometheus in on the sidecar port');
  });

  it('runs the sample server; an app of your own keeps its image entrypoint, or runs your command', () => {
    assert.deepEqual(appContainer({}).command, SAMPLE_APP_COMMAND);
    assert.deepEqual(appContainer({ app: { name: 'other' } }, 'other').command, SAMPLE_APP_COMMAND, 'renaming the sample keeps it the sample');
    assert.equal(appContainer({ app: { image: 'registry.example.com/payments-api:4.2.1' } }).command, undefined);
    assert.deepEqual(appContainer({ app: { image: 'registry.example.com/payments-api:4.2.1', command: ['node', 'dist/main.js'] } }).command, ['node', 'dist/main.js']);
    assert.deepEqual(appContainer({ app: { command: ['node', 'server.js'] } }).command, ['node', 'server.js']);
  });

  it("only the sample gets the sample's namespace; an app of your own goes where its config says, and no Namespace is made for it", () => {
    const own = defaultManifests({ app: { image: 'registry.example.com/payments-api:4.2.1', namespace: 'payments' } });
    assert.equal(appDeployment(own).metadata.namespace, 'payments');
    assert.deepEqual(own.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name), [DEFAULT_CONFIG.namespace]);
    const sampleElsewhere = defaultManifests({ app: { namespace: 'demo' } });
    assert.equal(appDeployment(sampleElsewhere).metadata.namespace, 'demo');
    assert.ok(!sampleElsewhere.some((o) => o.kind === 'Namespace' && o.metadata.name === SAMPLE_APP_NAMESPACE));
  });
});
