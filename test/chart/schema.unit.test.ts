import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureAlertmanagerConfig, fixtureConfigMap, fixtureCronJob, fixtureDeployment, fixtureNetworkPolicy, fixturePodMonitor, fixturePrometheusRule, fixtureRole, fixtureService } from '../fixtures/k8s-objects';
import { CHART_VARIANTS, manifestsOf, missingKinds } from '../support/k8s-default-chart';
import { containersOf, describeObject, formatPath, podTemplateOf } from '../support/k8s-object';
import { formatSchemaProblem, SchemaProblem, SchemaRule, validateObject } from '../support/k8s-schema';

/** Asserts exactly one problem and returns it. */
function oneProblem(problems: SchemaProblem[]): SchemaProblem {
  assert.equal(problems.length, 1, `expected one problem, got:\n${problems.map(formatSchemaProblem).join('\n')}`);
  return problems[0];
}

describe('schema checker', () => {
  it('passes valid objects of several kinds', () => {
    for (const obj of [fixtureDeployment(), fixtureCronJob(), fixtureService(), fixtureNetworkPolicy(), fixtureRole([]), fixtureConfigMap(), fixturePrometheusRule(), fixturePodMonitor(), fixtureAlertmanagerConfig()]) {
      assert.deepEqual(validateObject(obj).map(formatSchemaProblem), [], `${obj.kind} should be valid`);
    }
  });

  it('fails if a container field is misspelled, naming its path', () => {
    const d = fixtureDeployment();
    d.spec.template.spec.containers[0].livenesProbe = d.spec.template.spec.containers[0].livenessProbe;
    delete d.spec.template.spec.containers[0].livenessProbe;
    const p = oneProblem(validateObject(d));
    assert.equal(p.rule, SchemaRule.UNKNOWN_FIELD);
    assert.equal(p.path, 'spec.template.spec.containers[0].livenesProbe');
    assert.equal(p.object, 'Deployment k8s-fixture/web');
    assert.match(p.message, /'livenesProbe' is not declared/);
  });

  it('fails if a top-level or metadata field is unknown', () => {
    const d = fixtureDeployment();
    d.specs = {};
    d.metadata.label = { a: 'b' };
    const paths = validateObject(d).map((p) => `${p.rule} ${p.path}`).sort();
    assert.deepEqual(paths, ['unknown-field metadata.label', 'unknown-field specs']);
  });

  it('fails if a field is unknown inside a nested typed object (probe, selector, volume)', () => {
    const d = fixtureDeployment();
    d.spec.template.spec.containers[0].readinessProbe.httpGet.paht = '/x';
    d.spec.selector.matchLabel = {};
    d.spec.template.spec.volumes[0].emptyDir.sizeLimt = '1Gi';
    const paths = validateObject(d).map((p) => p.path).sort();
    assert.deepEqual(paths, [
      'spec.selector.matchLabel',
      'spec.template.spec.containers[0].readinessProbe.httpGet.paht',
      'spec.template.spec.volumes[0].emptyDir.sizeLimt',
    ]);
  });

  it('lets free-form maps through: labels, annotations, data, resource lists', () => {
    const d = fixtureDeployment();
    d.metadata.annotations = { 'example.test/anything-at-all': 'x' };
    d.spec.template.metadata.labels['example.test/custom'] = 'y';
    d.spec.template.spec.containers[0].resources.limits['ephemeral-storage'] = '1Gi';
    d.spec.template.spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
    const cm = fixtureConfigMap();
    cm.data['any-key.json'] = '{}';
    assert.deepEqual([...validateObject(d), ...validateObject(cm)].map(formatSchemaProblem), []);
  });

  it('fails if a field has the wrong type, naming the type and the value', () => {
    const d = fixtureDeployment();
    d.spec.replicas = '2';
    const p = oneProblem(validateObject(d));
    assert.equal(p.rule, SchemaRule.SCHEMA);
    assert.equal(p.path, 'spec.replicas');
    assert.match(p.message, /must be of type integer, got string "2"/);
  });

  it('fails if an enum field has a value outside it, listing the allowed values', () => {
    const d = fixtureDeployment();
    d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    const p = oneProblem(validateObject(d));
    assert.equal(p.path, 'spec.template.spec.containers[0].imagePullPolicy');
    assert.match(p.message, /"Always", "IfNotPresent", "Never".*got string "Sometimes"/);
  });

  it('fails if a required field is missing', () => {
    const d = fixtureDeployment();
    delete d.spec.template.spec.containers[0].name;
    const p = oneProblem(validateObject(d));
    assert.equal(p.rule, SchemaRule.SCHEMA);
    assert.equal(p.path, 'spec.template.spec.containers[0].name');
    assert.match(p.message, /required field is missing/);
  });

  it('fails if a Deployment has no selector (required at the spec level)', () => {
    const d = fixtureDeployment();
    delete d.spec.selector;
    assert.equal(oneProblem(validateObject(d)).path, 'spec.selector');
  });

  it('fails clearly on an unknown kind', () => {
    const p = oneProblem(validateObject({ apiVersion: 'apps/v1', kind: 'Deploiement', metadata: { name: 'x' } }));
    assert.equal(p.rule, SchemaRule.UNKNOWN_KIND);
    assert.match(p.message, /no Kubernetes schema for apiVersion 'apps\/v1' kind 'Deploiement'/);
  });

  it('fails clearly on a kind in the wrong group/version', () => {
    const p = oneProblem(validateObject({ apiVersion: 'v1', kind: 'Deployment', metadata: { name: 'x' } }));
    assert.equal(p.rule, SchemaRule.UNKNOWN_KIND);
    assert.match(p.message, /apiVersion 'v1' kind 'Deployment'/);
  });

  it('fails clearly on a nested type used as a kind', () => {
    const p = oneProblem(validateObject({ apiVersion: 'apps/v1', kind: 'DeploymentSpec' }));
    assert.match(p.message, /only as a nested type/);
  });

  it('checks prometheus-operator kinds against @kubernetes-models/prometheus-operator: a typo, a wrong type, an unknown kind', () => {
    const pm = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'x', namespace: 'k8s-fixture' },
      spec: { selector: { matchLabels: { a: 'b' } }, podMetricsEndpoints: [{ port: 'hw-metrics', interval: '15s' }] },
    };
    assert.deepEqual(validateObject(pm).map(formatSchemaProblem), []);
    const typo = structuredClone(pm) as any;
    typo.spec.podMetricsEndpoints[0].prot = typo.spec.podMetricsEndpoints[0].port;
    delete typo.spec.podMetricsEndpoints[0].port;
    const p = oneProblem(validateObject(typo));
    assert.deepEqual([p.rule, p.path], [SchemaRule.UNKNOWN_FIELD, 'spec.podMetricsEndpoints[0].prot']);
    const amc = {
      apiVersion: 'monitoring.coreos.com/v1alpha1',
      kind: 'AlertmanagerConfig',
      metadata: { name: 'x', namespace: 'k8s-fixture' },
      spec: { receivers: [{ name: 'r', slackConfigs: [{ apiURL: 'https://example.invalid/not-a-secret-ref' }] }] },
    };
    assert.equal(oneProblem(validateObject(amc)).path, 'spec.receivers[0].slackConfigs[0].apiURL');
    const rule = fixturePrometheusRule();
    rule.spec.groups[0].rules[1].fro = rule.spec.groups[0].rules[1].for;
    delete rule.spec.groups[0].rules[1].for;
    const r = oneProblem(validateObject(rule));
    assert.deepEqual([r.rule, r.path], [SchemaRule.UNKNOWN_FIELD, 'spec.groups[0].rules[1].fro']);
    const noName = fixturePrometheusRule();
    delete noName.spec.groups[0].name;
    assert.equal(oneProblem(validateObject(noName)).path, 'spec.groups[0].name', 'a rule group needs its name');
    const unknown = oneProblem(validateObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'AlertmanagerConfig', metadata: { name: 'x' } }));
    assert.equal(unknown.rule, SchemaRule.UNKNOWN_KIND, 'AlertmanagerConfig is served as v1alpha1 only');
  });

  it('fails clearly on a missing or malformed apiVersion, never touching the file system outside the models', () => {
    assert.match(oneProblem(validateObject({ kind: 'Pod' })).message, /apiVersion \(undefined\) and kind \("Pod"\) must both be strings/);
    assert.match(oneProblem(validateObject({ apiVersion: '../../x/v1', kind: 'Pod' })).message, /not a valid apiVersion\/kind/);
  });
});

describe('schema of everything the default chart synthesizes', () => {
  for (const variant of CHART_VARIANTS) {
    describe(variant.label, () => {
      it('contains at least the expected kinds', () => {
        assert.deepEqual(missingKinds(manifestsOf(variant), variant.expectedKinds), []);
      });

      it('every object matches its Kubernetes schema, with no undeclared field', async (t) => {
        const objects = manifestsOf(variant);
        t.diagnostic(`${objects.length} objects: ${[...new Set(objects.map((o) => o.kind))].join(', ')}`);
        for (const obj of objects) {
          await t.test(describeObject(obj), () => {
            assert.deepEqual(validateObject(obj).map(formatSchemaProblem), []);
          });
        }
      });
    });
  }

  it('is not vacuous: a typo injected into any container of the real output is caught at its path', () => {
    const workloads = manifestsOf(CHART_VARIANTS[0]).filter((o) => podTemplateOf(o));
    assert.ok(workloads.length > 0, 'the chart has workloads to check');
    for (const obj of workloads) {
      for (const ref of containersOf(podTemplateOf(obj)!)) {
        const copy = structuredClone(obj);
        let c: any = copy;
        for (const s of ref.path) c = c[s];
        c.livenesProbe = {};
        const problems = validateObject(copy).map(formatSchemaProblem);
        assert.deepEqual(problems, [`${describeObject(obj)}: ${formatPath([...ref.path, 'livenesProbe'])}: [unknown-field] field 'livenesProbe' is not declared by the ${obj.apiVersion} ${obj.kind} schema`]);
      }
    }
  });
});
