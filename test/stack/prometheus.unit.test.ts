import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { resolveConfig } from '../../src/config';
import { Prometheus } from '../../src/stack';
import { find } from '../support/manifests';
import { assertPropsError } from '../support/props-error';

const RULES = 'groups:\n  - name: team\n    rules: []\n';

function synth(props: Partial<ConstructorParameters<typeof Prometheus>[2]> = {}) {
  const chart = Testing.chart();
  const prometheus = new Prometheus(chart, 'Prometheus', { config: resolveConfig(), ...props });
  return { prometheus, objects: Testing.synth(chart) };
}

describe('Prometheus', () => {
  it('mounts the rule files it is given and rolls its pods when they change', () => {
    const { objects, prometheus } = synth({ ruleFiles: { 'team.yaml': RULES } });
    assert.deepEqual(find(objects, 'ConfigMap', 'prometheus-rules').data, { 'team.yaml': RULES });
    const sts = find(objects, 'StatefulSet', 'prometheus');
    assert.ok(sts.spec.template.spec.volumes.some((v: any) => v.name === 'rules' && v.configMap.name === 'prometheus-rules'));
    assert.equal(find(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml'], prometheus.configText);
    const other = synth({ ruleFiles: { 'team.yaml': RULES.replace('team', 'other') } });
    const checksum = (o: any[]) => find(o, 'StatefulSet', 'prometheus').spec.template.metadata.annotations['heapwatch.dev/config-checksum'];
    assert.notEqual(checksum(objects), checksum(other.objects));
  });

  it('mounts no rule file by default', () => {
    assert.deepEqual(find(synth().objects, 'ConfigMap', 'prometheus-rules').data, {});
  });

  it('fails if a rule file would not be loaded or is not a rule file, naming each at once', () => {
    assertPropsError(() => synth({ ruleFiles: { 'team.yml': RULES, 'broken.yaml': 'groups: [', 'empty.yaml': 'rules: []' } }), 'Prometheus', [
      /^'ruleFiles' has a file name \("team\.yml"\) that must end in "\.yaml"/,
      /^'ruleFiles\["broken\.yaml"\]' \("groups: \["\) must be YAML text, but does not parse/,
      /^'ruleFiles\["empty\.yaml"\]' \("rules: \[\]"\) must be a Prometheus rule file: YAML with a top-level "groups" list/,
    ]);
  });
});
