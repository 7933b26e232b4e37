import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import YAML from 'yaml';
import { HeapwatchConfigInput, resolveConfig } from '../../src/config';
import { Alertmanager, buildAlertmanagerConfig } from '../../src/stack';
import { container, find } from '../support/manifests';

function synth(input: HeapwatchConfigInput = {}) {
  const chart = Testing.chart();
  const alertmanager = new Alertmanager(chart, 'Alertmanager', { config: resolveConfig(input) });
  return { alertmanager, objects: Testing.synth(chart) };
}

describe('Alertmanager', () => {
  it('runs alone, without gossip, by default, on the synthesized alertmanager.yml', () => {
    const { objects, alertmanager } = synth();
    assert.deepEqual(YAML.parse(alertmanager.configText), buildAlertmanagerConfig(resolveConfig()));
    assert.equal(find(objects, 'ConfigMap', 'alertmanager-config').data['alertmanager.yml'], alertmanager.configText);
    const args: string[] = container(find(objects, 'StatefulSet', 'alertmanager'), 'alertmanager').args;
    assert.ok(args.includes('--cluster.listen-address='));
    assert.ok(!args.some((a) => a.startsWith('--cluster.peer=')));
  });

  it('forms a gossip cluster of every replica when there is more than one', () => {
    const { objects } = synth({ namespace: 'mon', alertmanager: { replicas: 3 } });
    const sts = find(objects, 'StatefulSet', 'alertmanager');
    assert.equal(sts.spec.replicas, 3);
    const args: string[] = container(sts, 'alertmanager').args;
    assert.ok(args.includes('--cluster.listen-address=0.0.0.0:9094'));
    assert.deepEqual(args.filter((a) => a.startsWith('--cluster.peer=')),
      [0, 1, 2].map((i) => `--cluster.peer=alertmanager-${i}.alertmanager-headless.mon.svc:9094`));
    assert.equal(find(objects, 'Service', 'alertmanager-headless').spec.publishNotReadyAddresses, true);
  });

  it('mounts the Slack webhook Secret only when Slack is on, and only its one key', () => {
    const on = find(synth({ slack: { webhookSecretName: 'my-slack', webhookSecretKey: 'url' } }).objects, 'StatefulSet', 'alertmanager');
    assert.deepEqual(on.spec.template.spec.volumes.find((v: any) => v.name === 'slack-webhook').secret,
      { secretName: 'my-slack', items: [{ key: 'url', path: 'url' }] });
    const off = find(synth({ slack: { enabled: false } }).objects, 'StatefulSet', 'alertmanager');
    assert.ok(!off.spec.template.spec.volumes.some((v: any) => v.secret));
  });
});
