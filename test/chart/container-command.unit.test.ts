/**
 * Every container heapwatch synthesizes states its command (issue: "every container states its
 * command; none relies on an entrypoint baked into an image"): the stock images' own
 * entrypoints, the sidecar's and init container's node commands, the sample app's server. The
 * one exception is a user's own app without app.command: its image is theirs, and keeps its
 * own entrypoint.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultManifests } from '../../charts/default-app';
import { DEFAULT_CONFIG } from '../../src/config';
import { CHART_VARIANTS, manifestsOf } from '../support/k8s-default-chart';
import { describeObject, K8sObject, podTemplateOf } from '../support/k8s-object';

/** "Kind ns/name container" of every container and init container without a non-empty command. */
function withoutCommand(objects: K8sObject[]): string[] {
  return objects.flatMap((o) => {
    const pod = podTemplateOf(o)?.spec;
    if (!pod) return [];
    const containers: K8sObject[] = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
    return containers.filter((c) => !Array.isArray(c.command) || c.command.length === 0).map((c) => `${describeObject(o)} ${c.name}`);
  });
}

describe('every container states its command', () => {
  for (const variant of CHART_VARIANTS) {
    it(variant.label, () => {
      const objects = manifestsOf(variant);
      const containers = objects.flatMap((o) => podTemplateOf(o)?.spec.containers ?? []);
      assert.ok(containers.length > 0, 'the variant has containers');
      assert.deepEqual(withoutCommand(objects), []);
    });
  }

  it('the stock images run their own entrypoints, with the arguments in args', () => {
    const command = (name: string) => defaultManifests().flatMap((o) => podTemplateOf(o)?.spec.containers ?? []).find((c: K8sObject) => c.name === name)?.command;
    assert.deepEqual(command('prometheus'), ['/bin/prometheus']);
    assert.deepEqual(command('alertmanager'), ['/bin/alertmanager']);
    assert.deepEqual(command('grafana'), ['/run.sh']);
    assert.deepEqual(command('kube-state-metrics'), ['/kube-state-metrics']);
  });

  it("leaves a user's own app image its entrypoint when app.command is unset, and only that container", () => {
    const objects = defaultManifests({ app: { name: 'payments-api', namespace: 'payments', image: 'registry.example.test/payments-api:4.2.1' } });
    assert.deepEqual(withoutCommand(objects), ['Deployment payments/payments-api app']);
    assert.equal(DEFAULT_CONFIG.app.command, undefined, 'a user app has no command by default');
  });
});
