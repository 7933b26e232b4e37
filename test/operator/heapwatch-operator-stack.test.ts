/**
 * Operator mode's synth: only what an existing kube-prometheus-stack picks up (PrometheusRule,
 * PodMonitor, AlertmanagerConfig, dashboard ConfigMap) beside the watched app; the rules from the
 * one rule source, checked by the real promtool with the labels the PodMonitor's scrape yields.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { defaultManifests } from '../../charts/default-app';
import { resolveConfig } from '../../src/config';
import { DISCOVERY, JOBS, METRICS } from '../../src/contract';
import { MEMORY_DASHBOARD_FILE, renderDashboards } from '../../src/dashboard';
import { buildRuleGroups, isAlertingRule, RULES_FILE, renderRules, renderRuleTests, toYaml } from '../../src/rules';
import { SIDECAR_TARGET } from '../../src/rules/promtool-tests/series';
import { UNUSED_SIDECAR_SERIES, UNUSED_SIDECAR_SERIES_REGEX } from '../../src/stack';
import { K8sObject } from '../support/k8s-object';
import { KPS_RELEASE, OPERATOR_INPUT } from '../support/operator-config';
import { podMonitorMetricRelabelConfigs, podMonitorTargets } from '../support/operator-pod-monitor';
import { relabel } from '../support/relabel';
import { promtool, writeTree } from '../support/rules-promtool';

const only = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: K8sObject[], kind: string) => {
  const found = only(objects, kind);
  assert.equal(found.length, 1, `one ${kind}, found ${found.length}`);
  return found[0];
};

describe('operator mode: what is synthesized', () => {
  it('holds no Prometheus, Alertmanager, Grafana or kube-state-metrics, and no RBAC, Namespace or NetworkPolicy for them', () => {
    const objects = defaultManifests(OPERATOR_INPUT);
    // The code ConfigMaps' names end in a hash of their content (src/app/code-delivery.ts).
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`.replace(/-[0-9a-f]{8}(-\d+)?$/, '-<hash>$1')), [
      'PrometheusRule monitoring/heapwatch',
      'ConfigMap monitoring/heapwatch-dashboards',
      // The sample app's own namespace and objects (its code ConfigMaps among them), as in standalone mode.
      'Namespace undefined/heapwatch-sample',
      'ConfigMap heapwatch-sample/sample-app-heapwatch-exporter-<hash>-0',
      'ConfigMap heapwatch-sample/sample-app-heapwatch-exporter-<hash>-1',
      'ConfigMap heapwatch-sample/sample-app-heapwatch-agent-<hash>',
      'Deployment heapwatch-sample/sample-app',
      'Service heapwatch-sample/sample-app',
      'NetworkPolicy heapwatch-sample/sample-app',
      'PodMonitor heapwatch-sample/sample-app',
      'AlertmanagerConfig heapwatch-sample/heapwatch',
    ]);
    const standalone = defaultManifests();
    for (const kind of ['StatefulSet', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount']) {
      assert.ok(only(standalone, kind).length > 0, `the standalone chart has a ${kind}, so its absence here means something`);
      assert.deepEqual(only(objects, kind), [], `no ${kind} in operator mode`);
    }
    // The stack's namespace is kube-prometheus-stack's, never created here; only the sample's own is.
    assert.ok(only(standalone, 'Namespace').some((o) => o.metadata.name === 'heapwatch'));
    assert.deepEqual(only(objects, 'Namespace').map((o) => o.metadata.name), ['heapwatch-sample'], 'no Namespace for the monitoring stack in operator mode');
  });

  it('labels every custom resource release=<operator.release> plus operator.labels, for kube-prometheus-stack\'s selectors', () => {
    const objects = defaultManifests({ ...OPERATOR_INPUT, operator: { ...OPERATOR_INPUT.operator, labels: { 'example.com/team': 'payments', prometheus: 'platform' } } });
    const crs = objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'));
    assert.deepEqual(crs.map((o) => o.kind).sort(), ['AlertmanagerConfig', 'PodMonitor', 'PrometheusRule']);
    for (const o of crs) {
      assert.equal(o.metadata.labels.release, KPS_RELEASE, `${o.kind} release label`);
      assert.equal(o.metadata.labels['example.com/team'], 'payments');
      assert.equal(o.metadata.labels.prometheus, 'platform');
    }
  });

  it('lets kube-prometheus-stack\'s Prometheus (operator.namespace) reach the sidecar port, and nothing else new', () => {
    const np = one(defaultManifests({ ...OPERATOR_INPUT, operator: { ...OPERATOR_INPUT.operator, namespace: 'observability' } }), 'NetworkPolicy');
    const rule = np.spec.ingress.find((r: K8sObject) => r.ports?.[0]?.port === 9464);
    assert.deepEqual(rule.from, [{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    }]);
  });
});

describe('operator mode: PrometheusRule', () => {
  const c = resolveConfig(OPERATOR_INPUT);
  const rule = one(defaultManifests(OPERATOR_INPUT), 'PrometheusRule');

  it('holds exactly the groups of heapwatch-rules.yaml for the same config (one source)', () => {
    assert.deepEqual(rule.spec.groups, parse(renderRules(c)[RULES_FILE]).groups);
    assert.equal(rule.metadata.namespace, 'monitoring');
  });

  it('differs from the standalone rules only where kube-prometheus-stack labels series differently', () => {
    const standalone = buildRuleGroups(resolveConfig());
    const operator = buildRuleGroups(c);
    // Groups without their own interval run at the global one in standalone mode; operator mode writes it on them (below).
    assert.deepEqual(operator.map((g) => [g.name, g.interval, g.rules.length]),
      standalone.map((g) => [g.name, g.interval ?? c.prometheus.evaluationInterval, g.rules.length]));
    const changed: string[] = [];
    operator.forEach((g, i) => g.rules.forEach((r, j) => {
      const s = standalone[i].rules[j];
      const name = isAlertingRule(r) ? r.alert : r.record;
      assert.equal(name, isAlertingRule(s) ? s.alert : s.record);
      if (r.expr !== s.expr) changed.push(name);
      if (isAlertingRule(r) && isAlertingRule(s)) {
        assert.deepEqual([r.for, r.labels], [s.for, s.labels], name);
        if (name !== 'Watchdog') assert.deepEqual(r.annotations, s.annotations, name);
      }
    }));
    // Watched pods from the sidecar's targets (KPS's kube-state-metrics exports no pod labels), and a
    // Watchdog per namespace (an AlertmanagerConfig sees only its namespace's alerts).
    assert.deepEqual(changed, ['heapwatch:memory_restarts:increase_rollup', 'NodejsContainerOOMKilled', 'Watchdog']);
    for (const r of operator.flatMap((g) => g.rules)) assert.doesNotMatch(r.expr, /kube_pod_labels|label_heapwatch_dev_watched/);
  });

  it('gives every group its interval, prometheus.evaluationInterval where it has no slower one of its own, never kube-prometheus-stack\'s global one', () => {
    for (const evaluationInterval of ['15s', '30s']) {
      const groups = one(defaultManifests({ ...OPERATOR_INPUT, prometheus: { evaluationInterval } }), 'PrometheusRule').spec.groups;
      const own = new Map(buildRuleGroups(resolveConfig({ prometheus: { evaluationInterval } })).map((g) => [g.name, g.interval]));
      for (const g of groups) assert.equal(g.interval, own.get(g.name) ?? evaluationInterval, `${g.name} at ${evaluationInterval}`);
      assert.ok(groups.some((g: any) => own.get(g.name) === undefined), 'some groups have no interval of their own in standalone mode');
    }
  });

  it('passes promtool check rules with every lint enabled, and the generated promtool unit tests', () => {
    const dir = writeTree({
      [RULES_FILE]: toYaml({ groups: rule.spec.groups }),
      ...Object.fromEntries(Object.entries(renderRuleTests(c, [`../${RULES_FILE}`])).map(([f, text]) => [`tests/${f}`, text])),
    });
    try {
      const check = promtool(['check', 'rules', '--lint=all', '--lint-fatal', RULES_FILE], dir);
      assert.equal(check.status, 0, check.output);
      assert.match(check.output, /SUCCESS: 25 rules found/);
      const files = Object.keys(renderRuleTests(c, [])).map((f) => `tests/${f}`);
      const test = promtool(['test', 'rules', ...files], dir);
      assert.equal(test.status, 0, test.output);
      assert.equal(test.output.match(/SUCCESS/g)?.length, files.length, test.output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails its unit tests if the watched-pod join still read kube_pod_labels (so the tests see the difference)', () => {
    const standaloneGroups = buildRuleGroups(resolveConfig());
    const dir = writeTree({
      [RULES_FILE]: toYaml({ groups: standaloneGroups }),
      ...Object.fromEntries(Object.entries(renderRuleTests(c, [`../${RULES_FILE}`])).map(([f, text]) => [`tests/${f}`, text])),
    });
    try {
      const r = promtool(['test', 'rules', ...Object.keys(renderRuleTests(c, [])).map((f) => `tests/${f}`)], dir);
      assert.notEqual(r.status, 0, 'the operator-mode tests passed against the standalone rules');
      assert.match(r.output, /alertname: NodejsContainerOOMKilled/);
      assert.match(r.output, /alertname: Watchdog/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('operator mode: PodMonitor', () => {
  const objects = [
    ...defaultManifests({ ...OPERATOR_INPUT, app: { name: 'checkout', namespace: 'shop' } }),
    ...defaultManifests({ ...OPERATOR_INPUT, app: { name: 'ledger', namespace: 'shop' } }),
  ];
  const monitors = only(objects, 'PodMonitor');
  const deployments = only(objects, 'Deployment');

  it('scrapes exactly its app\'s pods, on the hw-metrics port, with the labels the rules and their unit tests use', () => {
    assert.equal(monitors.length, 2);
    for (const pm of monitors) {
      const app = pm.metadata.name;
      assert.equal(pm.spec.podMetricsEndpoints[0].port, DISCOVERY.portName);
      const targets = podMonitorTargets(pm, deployments);
      assert.deepEqual(targets, [{
        namespace: 'shop', pod: `${app}-0`, container: 'heapwatch-exporter', app, job: JOBS.exporter, endpoint: DISCOVERY.portName,
      }]);
      // The promtool unit tests' sidecar series carry the same label names (instance is set by Prometheus).
      const { instance: _instance, ...testLabels } = SIDECAR_TARGET;
      assert.deepEqual(Object.keys(testLabels).sort(), Object.keys(targets[0]).filter((k) => k !== 'endpoint').sort());
    }
  });

  it('selects no pod without the watched label, even with the app\'s name', () => {
    const pm = monitors[0];
    const unwatched = structuredClone(deployments.find((d) => d.metadata.name === pm.metadata.name)!);
    delete unwatched.spec.template.metadata.labels[DISCOVERY.podLabel];
    assert.deepEqual(podMonitorTargets(pm, [unwatched]), []);
  });

  it('drops the sidecar series nothing reads, with the standalone exporter job\'s own rule; prometheus.dropUnusedSeries false keeps them', () => {
    const standalone = parse(one(defaultManifests({}).filter((o) => o.metadata.name === 'prometheus-config'), 'ConfigMap').data['prometheus.yml']);
    const job = standalone.scrape_configs.find((j: any) => j.job_name === JOBS.exporter);
    for (const pm of monitors) {
      assert.deepEqual(pm.spec.podMetricsEndpoints[0].metricRelabelings, [{ action: 'drop', sourceLabels: ['__name__'], regex: UNUSED_SIDECAR_SERIES_REGEX }]);
      const configs = podMonitorMetricRelabelConfigs(pm);
      const asStandalone = configs.map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
      assert.deepEqual(asStandalone, job.metric_relabel_configs, 'the same rule as standalone');
      for (const name of UNUSED_SIDECAR_SERIES) assert.equal(relabel({ __name__: name, pod: 'p' }, configs), undefined, `${name} is dropped`);
      for (const name of Object.values(METRICS)) assert.ok(relabel({ __name__: name, pod: 'p' }, configs), `${name} is kept`);
    }
    const keeping = one(defaultManifests({ ...OPERATOR_INPUT, prometheus: { dropUnusedSeries: false } }), 'PodMonitor');
    assert.equal(keeping.spec.podMetricsEndpoints[0].metricRelabelings, undefined);
  });

  it('scrapes at the agent\'s check interval', () => {
    const pm = one(defaultManifests({ ...OPERATOR_INPUT, heap: { checkIntervalSeconds: 30 } }), 'PodMonitor');
    assert.equal(pm.spec.podMetricsEndpoints[0].interval, '30s');
  });
});

describe('operator mode: dashboard ConfigMap', () => {
  const cm = one(defaultManifests(OPERATOR_INPUT).filter((o) => o.metadata.name === 'heapwatch-dashboards'), 'ConfigMap');

  it('is labelled for the Grafana sidecar and holds the memory dashboard exactly as rendered', () => {
    assert.equal(cm.metadata.labels.grafana_dashboard, '1');
    assert.equal(cm.metadata.namespace, 'monitoring');
    assert.deepEqual(cm.data, renderDashboards(resolveConfig(OPERATOR_INPUT)));
  });

  it('picks its Prometheus through a datasource variable, in every panel and query', () => {
    const dashboard = JSON.parse(cm.data[MEMORY_DASHBOARD_FILE]);
    const ds = dashboard.templating.list.find((v: any) => v.type === 'datasource');
    assert.deepEqual([ds?.name, ds?.query], ['datasource', 'prometheus']);
    const refs: any[] = [];
    const walk = (v: any) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        if (v.datasource !== undefined) refs.push(v.datasource);
        Object.values(v).forEach(walk);
      }
    };
    walk(dashboard.panels);
    assert.ok(refs.length > 10, `panels and queries name a datasource (${refs.length})`);
    for (const r of refs) assert.equal(r.uid, '${datasource}', JSON.stringify(r));
  });
});
