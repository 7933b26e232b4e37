/**
 * Operator mode's AlertmanagerConfig, merged into kube-prometheus-stack's default alertmanager.yml
 * by test/support/operator-alertmanager.ts: a MOCK of prometheus-operator's rewrite (ours, modelled
 * on the operator's code; no operator runs here), checked and routed by the real amtool.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { defaultManifests } from '../../charts/default-app';
import { resolveConfig } from '../../src/config';
import { ALERTS } from '../../src/contract';
import { buildAlertmanagerConfigSpec, HeapwatchAlertmanagerConfig } from '../../src/operator';
import { buildRuleGroups, isAlertingRule } from '../../src/rules';
import { expandTemplate } from '../../src/rules/promtool-tests/go-format';
import { RECEIVERS } from '../../src/routing/route-model';
import { SLACK_MESSAGE } from '../../src/routing/slack-message';
import { buildAlertmanagerConfig } from '../../src/stack/alertmanager-config';
import { done, notYet, pollUntil } from '../harness/poll';
import { ProcessGroup, waitForHttp } from '../harness/processes';
import { freePort } from '../support/free-port';
import { K8sObject } from '../support/k8s-object';
import { OPERATOR_INPUT } from '../support/operator-config';
import { kubePrometheusStackBaseConfig, rewriteAlertmanagerConfigs, SecretStore } from '../support/operator-alertmanager';
import { runTool } from '../support/tools';

const OPERATOR = OPERATOR_INPUT;
const PLACEHOLDER_URL = 'http://127.0.0.1:9/placeholder';

function amConfigsOf(manifests: K8sObject[]): K8sObject[] {
  return manifests.filter((o) => o.kind === 'AlertmanagerConfig');
}

/** Two apps in two namespaces, as two resolved configs sharing everything but the app. */
function twoNamespaces(): K8sObject[] {
  return [
    ...defaultManifests({ ...OPERATOR, app: { name: 'checkout', namespace: 'shop' } }),
    ...defaultManifests({ ...OPERATOR, app: { name: 'ledger', namespace: 'payments' } }),
  ];
}

function secretsFor(namespaces: string[]): SecretStore {
  return Object.fromEntries(namespaces.map((ns) => [`${ns}/heapwatch-slack/webhook-url`, PLACEHOLDER_URL]));
}

/** The merged alertmanager.yml, written where amtool can read it. */
function mergedConfigFile(amConfigs: K8sObject[], secrets: SecretStore): { file: string; config: Record<string, any> } {
  const base = kubePrometheusStackBaseConfig();
  const dir = mkdtempSync(join(tmpdir(), 'heapwatch-operator-am-'));
  base.templates = [join(dir, '*.tmpl')];
  const config = rewriteAlertmanagerConfigs(base, amConfigs, secrets);
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, YAML.stringify(config));
  return { file, config };
}

/** The receivers amtool routes `labels` to. */
function receiversOf(file: string, labels: string[]): string[] {
  const r = runTool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
  assert.equal(r.status, 0, r.output);
  return r.output.trim().split('\n')[0].split(',');
}

describe('operator mode: AlertmanagerConfig', () => {
  it('is one object per app namespace, in that namespace, served as monitoring.coreos.com/v1alpha1', () => {
    const amcs = amConfigsOf(twoNamespaces());
    assert.deepEqual(amcs.map((o) => `${o.apiVersion} ${o.metadata.namespace}/${o.metadata.name}`),
      ['monitoring.coreos.com/v1alpha1 shop/heapwatch', 'monitoring.coreos.com/v1alpha1 payments/heapwatch']);
    for (const o of amcs) assert.equal(o.metadata.labels.release, 'kube-prometheus-stack');
  });

  it('carries the same routes, receivers and inhibit rule as the standalone alertmanager.yml (one route model)', () => {
    const c = resolveConfig(OPERATOR);
    const spec = buildAlertmanagerConfigSpec(c);
    const standalone = buildAlertmanagerConfig(c);
    const text = (ms: any[]) => ms.map((m) => `${m.name}="${m.value}"`);
    assert.deepEqual(spec.route.routes.map((r: any) => [r.receiver, text(r.matchers), r.groupWait, r.repeatInterval]),
      standalone.route.routes.map((r: any) => [r.receiver, r.matchers, r.group_wait, r.repeat_interval]));
    assert.deepEqual(spec.receivers.map((r: any) => [r.name, r.slackConfigs?.[0]?.channel, r.slackConfigs?.[0]?.sendResolved]),
      standalone.receivers.map((r: any) => [r.name, r.slack_configs?.[0]?.channel, r.slack_configs?.[0]?.send_resolved]));
    // Beside the same inhibit rule, operator mode scopes the route and both sides of the rule to heapwatch's alerts.
    const scope = `alertname=~"${ALERTS.join('|')}"`;
    const scoped = (ms: any[]) => ms.map((m) => `${m.name}${m.matchType}"${m.value}"`);
    assert.deepEqual(scoped(spec.route.matchers), [scope]);
    assert.deepEqual(spec.inhibitRules.map((r: any) => [scoped(r.sourceMatch), scoped(r.targetMatch), r.equal]),
      standalone.inhibit_rules.map((r: any) => [[scope, ...r.source_matchers], [scope, ...r.target_matchers], r.equal]));
    assert.deepEqual([spec.route.groupBy, spec.route.groupWait, spec.route.groupInterval, spec.route.repeatInterval],
      [standalone.route.group_by, standalone.route.group_wait, standalone.route.group_interval, standalone.route.repeat_interval]);
  });

  it('reads Slack from slack.webhookSecretName in its own namespace, never a URL, with the message inline', () => {
    const amc = amConfigsOf(defaultManifests({ ...OPERATOR, app: { namespace: 'shop' }, slack: { webhookSecretName: 'team-slack', webhookSecretKey: 'url' } }))[0];
    const slack = amc.spec.receivers.flatMap((r: any) => r.slackConfigs ?? []);
    assert.equal(slack.length, 3, 'watchdog, critical and warning send to Slack');
    for (const s of slack) {
      assert.deepEqual(s.apiURL, { name: 'team-slack', key: 'url' });
      assert.deepEqual([s.title, s.titleLink, s.text, s.color], [SLACK_MESSAGE.title, SLACK_MESSAGE.titleLink, SLACK_MESSAGE.text, SLACK_MESSAGE.color]);
      assert.doesNotMatch(JSON.stringify(s), /\{\{\s*template /, 'no named template: they are out of an AlertmanagerConfig\'s reach');
    }
    const off = amConfigsOf(defaultManifests({ ...OPERATOR, slack: { enabled: false } }))[0];
    assert.deepEqual(off.spec.receivers.flatMap((r: any) => r.slackConfigs ?? []), []);
  });

  it('merged as the operator merges it, passes the real amtool check-config', () => {
    const { file, config } = mergedConfigFile(amConfigsOf(twoNamespaces()), secretsFor(['shop', 'payments']));
    const r = runTool('amtool', ['check-config', file]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS/);
    // The rewrite did what the operator does: namespaced receivers, continue, namespace matchers, routes first.
    assert.ok(config.receivers.some((x: any) => x.name === `shop/heapwatch/${RECEIVERS.critical}`));
    const scope = `alertname=~"${ALERTS.join('|')}"`;
    assert.deepEqual(config.route.routes.slice(0, 2).map((x: any) => [x.continue, x.matchers]),
      [[true, [scope, 'namespace="payments"']], [true, [scope, 'namespace="shop"']]]);
    assert.deepEqual(config.inhibit_rules.at(-1).source_matchers, [scope, 'severity="critical"', 'namespace="shop"']);
    assert.deepEqual(config.inhibit_rules.at(-1).target_matchers, [scope, 'severity="warning"', 'namespace="shop"']);
  });

  it('routes each severity of its own namespace to its receiver; other namespaces never reach it', () => {
    const { file } = mergedConfigFile(amConfigsOf(twoNamespaces()), secretsFor(['shop', 'payments']));
    const mine = (ns: string, r: string) => `${ns}/heapwatch/${r}`;
    for (const ns of ['shop', 'payments']) {
      assert.deepEqual(receiversOf(file, ['alertname=NodejsHeapHighStreak', 'severity=critical', `namespace=${ns}`, 'pod=p']), [mine(ns, RECEIVERS.critical)]);
      assert.deepEqual(receiversOf(file, ['alertname=NodejsHeapUsageHigh', 'severity=warning', `namespace=${ns}`, 'pod=p']), [mine(ns, RECEIVERS.warning)]);
      // continue: true lets kube-prometheus-stack's own Watchdog route see it too.
      assert.deepEqual(receiversOf(file, ['alertname=Watchdog', 'severity=none', `namespace=${ns}`]), [mine(ns, RECEIVERS.watchdog), 'null']);
      assert.deepEqual(receiversOf(file, ['alertname=NodejsHeapUsageHigh', 'severity=info', `namespace=${ns}`]), [mine(ns, RECEIVERS.none)]);
    }
    assert.deepEqual(receiversOf(file, ['alertname=NodejsHeapHighStreak', 'severity=critical', 'namespace=elsewhere', 'pod=p']), ['null']);
    assert.deepEqual(receiversOf(file, ['alertname=NodejsHeapHighStreak', 'severity=critical', 'pod=p']), ['null'], 'an alert without a namespace label reaches no AlertmanagerConfig');
  });

  it('routes kube-prometheus-stack\'s and the team\'s own alerts of the app namespace past heapwatch\'s receivers', () => {
    const { file } = mergedConfigFile(amConfigsOf(twoNamespaces()), secretsFor(['shop', 'payments']));
    // kube-prometheus-stack's default route sends everything to its 'null' receiver; the team's routes would sit there.
    assert.deepEqual(receiversOf(file, ['alertname=KubePodCrashLooping', 'severity=warning', 'namespace=shop', 'pod=p', 'container=app']), ['null']);
    assert.deepEqual(receiversOf(file, ['alertname=SomeTeamAlert', 'severity=critical', 'namespace=shop', 'pod=p']), ['null']);
    assert.deepEqual(receiversOf(file, ['alertname=KubeDeploymentReplicasMismatch', 'severity=warning', 'namespace=payments']), ['null']);
    // A name that merely starts like heapwatch's is not heapwatch's (Alertmanager anchors the regex).
    assert.deepEqual(receiversOf(file, ['alertname=NodejsHeapUsageHighTeam', 'severity=critical', 'namespace=shop', 'pod=p']), ['null']);
    // kube-prometheus-stack's own Watchdog carries no namespace label: its own route, never heapwatch's.
    assert.deepEqual(receiversOf(file, ['alertname=Watchdog', 'severity=none']), ['null']);
    for (const alert of ALERTS.filter((a) => a !== 'Watchdog')) {
      assert.deepEqual(receiversOf(file, [`alertname=${alert}`, 'severity=warning', 'namespace=shop', 'pod=p']), [`shop/heapwatch/${RECEIVERS.warning}`], alert);
    }
  });

  it('is refused by the operator (modelled) when the Slack Secret key is not in its namespace', () => {
    assert.throws(() => mergedConfigFile(amConfigsOf(twoNamespaces()), secretsFor(['shop'])), /payments\/heapwatch-slack\/webhook-url not found/);
  });

  it('renders the inline Slack text with summary, description (with the value), pod, runbook and dashboard links, in the real amtool', () => {
    const c = resolveConfig(OPERATOR);
    const rule = buildRuleGroups(c).flatMap((g) => g.rules).filter(isAlertingRule).find((r) => r.alert === 'NodejsHeapUsageHigh')!;
    const labels = { alertname: rule.alert, namespace: 'shop', pod: 'checkout-1', app: 'checkout', severity: rule.labels.severity };
    const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, t]) => [k, expandTemplate(t, labels, 0.9312)]));
    const dir = mkdtempSync(join(tmpdir(), 'heapwatch-operator-tmpl-'));
    writeFileSync(join(dir, 'none.tmpl'), '');
    const data = join(dir, 'data.json');
    writeFileSync(data, JSON.stringify({
      receiver: 'shop/heapwatch/slack-warning', status: 'firing', groupLabels: {}, commonLabels: labels, commonAnnotations: annotations, externalURL: 'http://am',
      alerts: [{ status: 'firing', labels, annotations, startsAt: '2026-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom', fingerprint: '1' }],
    }));
    const render = (text: string) => {
      const r = runTool('amtool', ['template', 'render', `--template.glob=${join(dir, '*.tmpl')}`, `--template.text=${text}`, `--template.data=${data}`]);
      assert.equal(r.status, 0, r.output);
      return r.output;
    };
    const text = render(SLACK_MESSAGE.text);
    assert.ok(text.includes(`*${rule.annotations.summary}*`), text);
    assert.ok(text.includes(annotations.description) && annotations.description.includes('93.12%'), text);
    assert.ok(text.includes('*Pod:* `shop/checkout-1`'), text);
    assert.ok(text.includes(`<${annotations.runbook_url}|Runbook>`), text);
    assert.ok(text.includes(`<${annotations.dashboard_url}|Dashboard>`), text);
    assert.match(render(SLACK_MESSAGE.title), /^\[FIRING:1\] NodejsHeapUsageHigh shop\/checkout-1/);
    assert.equal(render(SLACK_MESSAGE.titleLink).trim(), annotations.dashboard_url);
  });

  it('refuses a hand-built config without operator.release at the gate, before any label is made', () => {
    const c = { ...resolveConfig(OPERATOR), operator: { namespace: 'monitoring' } } as any;
    const { Chart, Testing } = require('cdk8s');
    assert.throws(() => new HeapwatchAlertmanagerConfig(new Chart(Testing.app(), 'x'), 'A', { config: c }),
      /'config' \(an object resolveConfig\(\) did not return\) given to HeapwatchAlertmanagerConfig/);
  });
});

describe('operator mode: critical inhibits warning, in a real Alertmanager on the merged config', () => {
  const group = new ProcessGroup();
  let url = '';

  before(async () => {
    const { file } = mergedConfigFile(amConfigsOf(twoNamespaces()), secretsFor(['shop', 'payments']));
    const dir = join(file, '..');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const log = join(dir, 'alertmanager.log');
    const am = group.spawn('alertmanager', 'prometheus-alertmanager', [
      `--config.file=${file}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
    ], { logFile: log });
    await waitForHttp(am, `${url}/-/ready`, 30_000, log);
  });

  after(() => group.stopAll());

  it('mutes heapwatch\'s warnings for the pod of a heapwatch critical, never the team\'s or kube-prometheus-stack\'s', async () => {
    const alert = (labels: Record<string, string>) => ({ labels, annotations: {}, startsAt: new Date().toISOString() });
    const shopPod = { namespace: 'shop', pod: 'checkout-1' };
    const alerts = [
      alert({ alertname: 'NodejsHeapHighStreak', severity: 'critical', ...shopPod }),
      // Critical without a pod label: with equal [namespace, pod] it would mute every pod-less warning of the namespace.
      alert({ alertname: 'NodejsHeapHighStreak', severity: 'critical', namespace: 'shop' }),
      alert({ alertname: 'NodejsHeapUsageHigh', severity: 'warning', ...shopPod }),
      alert({ alertname: 'SomeTeamAlert', severity: 'warning', ...shopPod }),
      alert({ alertname: 'KubePodCrashLooping', severity: 'warning', container: 'app', ...shopPod }),
      alert({ alertname: 'TeamNamespaceAlert', severity: 'warning', namespace: 'shop' }),
    ];
    const posted = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    assert.equal(posted.status, 200, await posted.text());
    // The inhibitor learns of the criticals asynchronously: wait until heapwatch's own warning is muted.
    const states = await pollUntil('heapwatch\'s warning to be inhibited', async () => {
      const res = await fetch(`${url}/api/v2/alerts`);
      const got = (await res.json()) as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
      const byName = Object.fromEntries(got.filter((a) => a.labels.severity === 'warning').map((a) => [a.labels.alertname, a.status.state]));
      return byName.NodejsHeapUsageHigh === 'suppressed' && Object.keys(byName).length === 4 ? done(byName) : notYet(JSON.stringify(byName));
    }, { timeoutMs: 20_000, intervalMs: 200 });
    assert.deepEqual(states, { NodejsHeapUsageHigh: 'suppressed', SomeTeamAlert: 'active', KubePodCrashLooping: 'active', TeamNamespaceAlert: 'active' });
  });
});
