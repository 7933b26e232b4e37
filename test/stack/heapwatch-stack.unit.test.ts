import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { defaultManifests } from '../../charts/default-app';
import { DeployMode, resolveConfig } from '../../src/config';
import { HeapwatchStack } from '../../src/stack';
import { MEMORY_DASHBOARD_FILE } from '../../src/dashboard';
import { RULES_FILE } from '../../src/rules';
import { container, envValue, find, findAll } from '../support/manifests';
import { modeMismatch, OPERATOR_INPUT } from '../support/operator-config';
import { assertPropsError } from '../support/props-error';

const checksum = (m: any) => m.spec.template.metadata.annotations['heapwatch.dev/config-checksum'];

describe('HeapwatchStack', () => {
  it('puts the stack in its own namespace, enforcing the restricted Pod Security Standard', () => {
    const ns = find(defaultManifests(), 'Namespace', 'heapwatch');
    assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    const inNamespace = defaultManifests().filter((m) => m.metadata.namespace === 'heapwatch');
    assert.ok(inNamespace.length > 20);
  });

  it('can be composed into a user chart with another namespace', () => {
    const chart = Testing.chart();
    new HeapwatchStack(chart, 'Monitoring', { config: resolveConfig({ namespace: 'observability' }) });
    const objects = Testing.synth(chart);
    assert.ok(objects.filter((o) => o.metadata.namespace).every((o) => o.metadata.namespace === 'observability'));
    assert.ok(find(objects, 'StatefulSet', 'prometheus'));
  });

  it('replaces heapwatch\'s rule files and dashboards with the ruleFiles and dashboards given, and opens the first of those', () => {
    const rules = 'groups:\n  - name: team\n    rules:\n      - record: team:up\n        expr: up\n';
    const board = JSON.stringify({ title: 'Team', uid: 'team' });
    const chart = Testing.chart();
    new HeapwatchStack(chart, 'Stack', { config: resolveConfig(), ruleFiles: { 'team-rules.yaml': rules }, dashboards: { 'team.json': board } });
    const objects = Testing.synth(chart);
    assert.deepEqual(find(objects, 'ConfigMap', 'prometheus-rules').data, { 'team-rules.yaml': rules });
    assert.deepEqual(find(objects, 'ConfigMap', 'grafana-dashboards').data, { 'team.json': board });
    assert.equal(envValue(container(find(objects, 'Deployment', 'grafana'), 'grafana'), 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'),
      '/var/lib/grafana-dashboards/heapwatch/team.json');
    // Without the props, heapwatch's own, and its memory dashboard is home.
    const defaults = defaultManifests();
    assert.deepEqual(Object.keys(find(defaults, 'ConfigMap', 'prometheus-rules').data), [RULES_FILE]);
    assert.deepEqual(Object.keys(find(defaults, 'ConfigMap', 'grafana-dashboards').data), [MEMORY_DASHBOARD_FILE]);
    assert.equal(envValue(container(find(defaults, 'Deployment', 'grafana'), 'grafana'), 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'),
      `/var/lib/grafana-dashboards/heapwatch/${MEMORY_DASHBOARD_FILE}`);
  });

  it('fails if ruleFiles and dashboards are both unusable, reporting both at once', () => {
    assertPropsError(() => new HeapwatchStack(Testing.chart(), 'Stack', {
      config: resolveConfig(), ruleFiles: { 'rules.yml': 'groups: []' }, dashboards: { 'home.json': 'not json' },
    }), 'HeapwatchStack', [/^'ruleFiles' has a file name \("rules\.yml"\)/, /^'dashboards\["home\.json"\]' \("not json"\) must be JSON text/]);
  });

  it('fails if the config is operator mode\'s, naming the constructs to use instead, with the other props\' problems', () => {
    assertPropsError(() => new HeapwatchStack(Testing.chart(), 'Stack', { config: resolveConfig(OPERATOR_INPUT), dashboards: { 'home.json': 'not json' } }),
      'HeapwatchStack', [
        modeMismatch('HeapwatchStack', DeployMode.OPERATOR, 'HeapwatchOperatorStack and HeapwatchAppMonitoring (for an existing kube-prometheus-stack)'),
        /^'dashboards\["home\.json"\]' \("not json"\) must be JSON text/,
      ]);
  });

  it('rolls Prometheus when its config changes, and only then', () => {
    const a = checksum(find(defaultManifests(), 'StatefulSet', 'prometheus'));
    const same = checksum(find(defaultManifests(), 'StatefulSet', 'prometheus'));
    const changed = checksum(find(defaultManifests({ prometheus: { evaluationInterval: '30s' } }), 'StatefulSet', 'prometheus'));
    assert.equal(a, same);
    assert.notEqual(a, changed);
  });

  it('rolls Alertmanager when its routing changes', () => {
    const a = checksum(find(defaultManifests(), 'StatefulSet', 'alertmanager'));
    const b = checksum(find(defaultManifests({ slack: { criticalChannel: '#pager' } }), 'StatefulSet', 'alertmanager'));
    assert.notEqual(a, b);
  });

  it('stores Prometheus data on a claim of the configured size, or an emptyDir when persistence is off', () => {
    const sts = find(defaultManifests({ prometheus: { storageSize: '50Gi', storageClassName: 'fast' } }), 'StatefulSet', 'prometheus');
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '50Gi');
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.storageClassName, 'fast');
    assert.ok(container(sts, 'prometheus').args.includes('--storage.tsdb.retention.time=35d'));
    const ephemeral = find(defaultManifests({ prometheus: { persistentStorage: false } }), 'StatefulSet', 'prometheus');
    assert.equal(ephemeral.spec.volumeClaimTemplates, undefined);
    assert.ok(ephemeral.spec.template.spec.volumes.some((v: any) => v.name === 'data' && v.emptyDir));
    assert.ok(find(defaultManifests(), 'StatefulSet', 'prometheus').spec.volumeClaimTemplates);
  });

  it('gives Grafana its admin credentials only through __FILE variables from the Secret', () => {
    const grafana = find(defaultManifests({ grafana: { adminSecretName: 'my-grafana-admin' } }), 'Deployment', 'grafana');
    const c = container(grafana, 'grafana');
    assert.equal(envValue(c, 'GF_SECURITY_ADMIN_PASSWORD__FILE'), '/etc/grafana/admin/admin-password');
    assert.equal(envValue(c, 'GF_SECURITY_ADMIN_USER__FILE'), '/etc/grafana/admin/admin-user');
    assert.ok(!c.env.some((e: any) => e.name === 'GF_SECURITY_ADMIN_PASSWORD'));
    assert.ok(grafana.spec.template.spec.volumes.some((v: any) => v.secret?.secretName === 'my-grafana-admin'));
  });

  it('provisions Grafana with the in-cluster Prometheus as its datasource', () => {
    const ds = find(defaultManifests(), 'ConfigMap', 'grafana-datasources').data['heapwatch.yaml'];
    assert.match(ds, /url: http:\/\/prometheus\.heapwatch\.svc:9090/);
  });

  it('lets kube-state-metrics see only the resources it reports, never Secrets', () => {
    const manifests = defaultManifests();
    const args: string[] = container(find(manifests, 'Deployment', 'kube-state-metrics'), 'kube-state-metrics').args;
    const resources = args.find((a) => a.startsWith('--resources='))!.split('=')[1].split(',');
    assert.ok(resources.includes('pods'));
    assert.ok(!resources.includes('secrets'));
    assert.ok(args.includes('--metric-labels-allowlist=pods=[app.kubernetes.io/name,heapwatch.dev/watched]'));
    for (const role of findAll(manifests, 'ClusterRole')) {
      for (const rule of role.rules) {
        assert.ok(!(rule.resources ?? []).includes('secrets'), `${role.metadata.name} cannot read Secrets`);
        assert.ok(!(rule.verbs ?? []).some((v: string) => ['create', 'update', 'patch', 'delete', '*'].includes(v)), `${role.metadata.name} is read-only`);
      }
    }
  });

  it('adds disruption budgets only where there is more than one replica', () => {
    assert.equal(findAll(defaultManifests(), 'PodDisruptionBudget').length, 0);
    const many = defaultManifests({ prometheus: { replicas: 2 }, alertmanager: { replicas: 3 }, app: { replicas: 2 } });
    assert.deepEqual(findAll(many, 'PodDisruptionBudget').map((p) => p.metadata.name).sort(), ['alertmanager', 'prometheus', 'sample-app']);
  });

  it('lets Prometheus reach watched pods in any namespace on the metrics port only', () => {
    const np = find(defaultManifests({ exporter: { port: 9555 } }), 'NetworkPolicy', 'prometheus');
    const rule = np.spec.egress.find((r: any) => r.to?.[0]?.podSelector?.matchLabels?.['heapwatch.dev/watched']);
    assert.deepEqual(rule.to[0].namespaceSelector, {});
    assert.deepEqual(rule.ports, [{ protocol: 'TCP', port: 9555 }]);
  });
});
