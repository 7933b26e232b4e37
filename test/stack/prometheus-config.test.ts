import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { defaultManifests } from '../../charts/default-app';
import { JOBS, TARGET_LABELS } from '../../src/contract';
import { UNUSED_SIDECAR_SERIES_REGEX } from '../../src/stack';
import { discoveryJobs, withStaticDiscovery } from '../harness/static-discovery';
import { find, Manifest } from '../support/manifests';
import { podTargets, relabel } from '../support/relabel';
import { runTool } from '../support/tools';

/** prometheus.yml and the rule files exactly as synthesized into the ConfigMaps. */
function synthesized(input = {}): { manifests: Manifest[]; config: any; rules: Record<string, string> } {
  const manifests = defaultManifests(input);
  const config = YAML.parse(find(manifests, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
  const rules = find(manifests, 'ConfigMap', 'prometheus-rules').data ?? {};
  return { manifests, config, rules };
}

/**
 * A copy promtool can check: discovery swapped for static targets, and the paths that only
 * exist in the pod (rules, service-account files) pointed at real files in a temp dir.
 */
function checkableCopy(config: any, rules: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'heapwatch-promcheck-'));
  mkdirSync(join(dir, 'rules'));
  for (const [name, text] of Object.entries(rules)) writeFileSync(join(dir, 'rules', name), text);
  writeFileSync(join(dir, 'ca.crt'), '');
  writeFileSync(join(dir, 'token'), 'placeholder');
  const copy = withStaticDiscovery(config, {
    [JOBS.exporter]: [{ address: '127.0.0.1:9464', labels: { namespace: 'default', pod: 'sample-app-0', app: 'sample-app', container: 'heapwatch-exporter' } }],
    [JOBS.cadvisor]: [{ address: '127.0.0.1:10250' }],
  });
  copy.rule_files = [join(dir, 'rules', '*.yaml')];
  for (const job of copy.scrape_configs) {
    if (job.tls_config?.ca_file) job.tls_config.ca_file = join(dir, 'ca.crt');
    if (job.authorization?.credentials_file) job.authorization.credentials_file = join(dir, 'token');
  }
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, YAML.stringify(copy));
  return file;
}

describe('prometheus.yml', () => {
  it('passes the real promtool check config (discovery swapped for static targets)', () => {
    const { config, rules } = synthesized();
    const r = runTool('promtool', ['check', 'config', checkableCopy(config, rules)]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS/);
  });

  it('passes promtool with checks of 1 s to 10 s too: the scrape timeout never exceeds the interval', () => {
    for (const checkIntervalSeconds of [1, 2, 9, 10]) {
      const { config, rules } = synthesized({ heap: { checkIntervalSeconds } });
      assert.equal(config.global.scrape_timeout, `${checkIntervalSeconds}s`);
      const r = runTool('promtool', ['check', 'config', checkableCopy(config, rules)]);
      assert.equal(r.status, 0, `checkIntervalSeconds ${checkIntervalSeconds}: ${r.output}`);
    }
  });

  it('drops the unused sidecar series on the exporter job only, and passes promtool with prometheus.dropUnusedSeries false too', () => {
    const exporterJob = (config: any) => config.scrape_configs.find((j: any) => j.job_name === JOBS.exporter);
    const on = synthesized();
    assert.deepEqual(exporterJob(on.config).metric_relabel_configs, [{ source_labels: ['__name__'], regex: UNUSED_SIDECAR_SERIES_REGEX, action: 'drop' }]);
    const off = synthesized({ prometheus: { dropUnusedSeries: false } });
    assert.equal(exporterJob(off.config).metric_relabel_configs, undefined);
    assert.deepEqual(off.config.scrape_configs.filter((j: any) => j.job_name !== JOBS.exporter), on.config.scrape_configs.filter((j: any) => j.job_name !== JOBS.exporter),
      'the other jobs do not change');
    const r = runTool('promtool', ['check', 'config', checkableCopy(off.config, off.rules)]);
    assert.equal(r.status, 0, r.output);
  });

  it('is refused by promtool when broken, so the check above can fail', () => {
    const { config, rules } = synthesized();
    config.global.scrape_interval = '15 seconds';
    const r = runTool('promtool', ['check', 'config', checkableCopy(config, rules)]);
    assert.notEqual(r.status, 0);
  });

  it('passes promtool with remote_write and three Alertmanager replicas', () => {
    const { config, rules } = synthesized({ alertmanager: { replicas: 3 }, prometheus: { remoteWrite: [{ url: 'https://mimir.example.test/api/v1/push', name: 'mimir' }] } });
    assert.deepEqual(config.remote_write, [{ url: 'https://mimir.example.test/api/v1/push', name: 'mimir' }]);
    assert.deepEqual(config.alerting.alertmanagers[0].static_configs[0].targets, [0, 1, 2].map((i) => `alertmanager-${i}.alertmanager-headless.heapwatch.svc:9093`));
    const r = runTool('promtool', ['check', 'config', checkableCopy(config, rules)]);
    assert.equal(r.status, 0, r.output);
  });

  it('gives each of several replicas its pod name as the replica external label, dropped from alerts, and passes promtool', () => {
    const { manifests, config, rules } = synthesized({ prometheus: { replicas: 2 } });
    assert.deepEqual(config.global.external_labels, { replica: '${POD_NAME}' });
    assert.deepEqual(config.alerting.alert_relabel_configs, [{ action: 'labeldrop', regex: 'replica' }]);
    const container = find(manifests, 'StatefulSet', 'prometheus').spec.template.spec.containers[0];
    assert.ok(container.args.includes('--enable-feature=expand-external-labels'), container.args.join(' '));
    assert.deepEqual(container.env, [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
    const r = runTool('promtool', ['check', 'config', checkableCopy(config, rules)]);
    assert.equal(r.status, 0, r.output);
  });

  it('adds the configured external labels, beside the replica label of several replicas, and passes promtool', () => {
    const one = synthesized({ prometheus: { externalLabels: { cluster: 'eu-1', region: 'eu' } } });
    assert.deepEqual(one.config.global.external_labels, { cluster: 'eu-1', region: 'eu' });
    assert.equal(one.config.alerting.alert_relabel_configs, undefined, 'a cluster label stays on alerts');
    const two = synthesized({ prometheus: { replicas: 2, externalLabels: { cluster: 'eu-1' } } });
    assert.deepEqual(two.config.global.external_labels, { cluster: 'eu-1', replica: '${POD_NAME}' });
    assert.deepEqual(two.config.alerting.alert_relabel_configs, [{ action: 'labeldrop', regex: 'replica' }], 'only replica is dropped from alerts');
    for (const { config, rules } of [one, two]) {
      const r = runTool('promtool', ['check', 'config', checkableCopy(config, rules)]);
      assert.equal(r.status, 0, r.output);
    }
  });

  it('adds no replica label, feature flag or env to a single Prometheus', () => {
    const { manifests, config } = synthesized();
    assert.equal(config.global.external_labels, undefined);
    assert.equal(config.alerting.alert_relabel_configs, undefined);
    const container = find(manifests, 'StatefulSet', 'prometheus').spec.template.spec.containers[0];
    assert.ok(!container.args.some((a: string) => a.startsWith('--enable-feature')), container.args.join(' '));
    assert.equal(container.env, undefined);
  });

  it('uses the check interval as the scrape interval and scrapes every part of the data flow', () => {
    const { config } = synthesized({ heap: { checkIntervalSeconds: 30 } });
    assert.equal(config.global.scrape_interval, '30s');
    assert.deepEqual(config.scrape_configs.map((j: any) => j.job_name).sort(),
      [JOBS.alertmanager, JOBS.cadvisor, JOBS.exporter, JOBS.kubeStateMetrics, JOBS.prometheus].sort());
    assert.equal(config.scrape_configs.find((j: any) => j.job_name === JOBS.kubeStateMetrics).honor_labels, true);
  });
});

describe('discovery blocks (checked structurally: Debian promtool cannot load them)', () => {
  it('are the pod and node roles, and nothing else', () => {
    const { config } = synthesized();
    assert.deepEqual(discoveryJobs(config).sort(), [JOBS.cadvisor, JOBS.exporter].sort());
    const roles = config.scrape_configs.filter((j: any) => j.kubernetes_sd_configs).map((j: any) => j.kubernetes_sd_configs.map((s: any) => s.role));
    assert.deepEqual(roles.flat().sort(), ['node', 'pod']);
  });

  it('keep exactly the sidecar port of the synthesized watched pod, with the target labels rules and dashboard group by', () => {
    const { manifests, config } = synthesized();
    const job = config.scrape_configs.find((j: any) => j.job_name === JOBS.exporter);
    const deployment = find(manifests, 'Deployment', 'sample-app');
    const targets = podTargets('default', 'sample-app-7d9f-abcde', deployment.spec.template)
      .map((t) => relabel(t, job.relabel_configs)).filter((t) => t !== undefined);
    assert.equal(targets.length, 1, 'one target per watched pod: the metrics port');
    assert.equal(targets[0]!.__address__, '10.0.0.1:9464');
    assert.equal(targets[0]![TARGET_LABELS.namespace], 'default');
    assert.equal(targets[0]![TARGET_LABELS.pod], 'sample-app-7d9f-abcde');
    assert.equal(targets[0]![TARGET_LABELS.app], 'sample-app');
    assert.equal(targets[0]![TARGET_LABELS.container], 'heapwatch-exporter');
  });

  it('ignore pods without the watched label, and pods not yet running', () => {
    const { manifests, config } = synthesized();
    const job = config.scrape_configs.find((j: any) => j.job_name === JOBS.exporter);
    const template = structuredClone(find(manifests, 'Deployment', 'sample-app').spec.template);
    const pending = podTargets('default', 'p', template, 'Pending').map((t) => relabel(t, job.relabel_configs));
    assert.ok(pending.every((t) => t === undefined));
    delete template.metadata.labels['heapwatch.dev/watched'];
    const unwatched = podTargets('default', 'p', template).map((t) => relabel(t, job.relabel_configs));
    assert.ok(unwatched.every((t) => t === undefined));
    const grafana = find(manifests, 'Deployment', 'grafana');
    assert.ok(podTargets('heapwatch', 'g', grafana.spec.template).map((t) => relabel(t, job.relabel_configs)).every((t) => t === undefined));
  });

  it('read cAdvisor through the API server proxy with the service-account credentials', () => {
    const { config } = synthesized();
    const job = config.scrape_configs.find((j: any) => j.job_name === JOBS.cadvisor);
    const target = relabel({ __address__: '10.0.0.5:10250', __meta_kubernetes_node_name: 'node-a' }, job.relabel_configs)!;
    assert.equal(target.__address__, 'kubernetes.default.svc:443');
    assert.equal(target.__metrics_path__, '/api/v1/nodes/node-a/proxy/metrics/cadvisor');
    assert.equal(job.scheme, 'https');
    assert.match(job.authorization.credentials_file, /serviceaccount\/token$/);
  });
});
