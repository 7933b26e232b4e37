import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { defaultManifests } from '../../charts/default-app';
import { RECEIVERS, TEMPLATE_FILE } from '../../src/stack/alertmanager-config';
import { container, find, Manifest } from '../support/manifests';
import { runTool } from '../support/tools';

/** alertmanager.yml and its template as synthesized, written where amtool can read them. */
function synthesizedConfigFile(input = {}): { file: string; config: any; manifests: Manifest[] } {
  const manifests = defaultManifests(input);
  const config = YAML.parse(find(manifests, 'ConfigMap', 'alertmanager-config').data['alertmanager.yml']);
  const template = find(manifests, 'ConfigMap', 'alertmanager-templates').data[TEMPLATE_FILE];
  const dir = mkdtempSync(join(tmpdir(), 'heapwatch-amcheck-'));
  writeFileSync(join(dir, TEMPLATE_FILE), template);
  writeFileSync(join(dir, 'webhook-url'), 'http://127.0.0.1:9/placeholder');
  // Only the in-pod paths change: the template directory and the Secret file.
  const copy = structuredClone(config);
  copy.templates = [join(dir, '*.tmpl')];
  for (const receiver of copy.receivers) {
    for (const slack of receiver.slack_configs ?? []) slack.api_url_file = join(dir, 'webhook-url');
  }
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, YAML.stringify(copy));
  return { file, config, manifests };
}

function routeOf(file: string, labels: string[]): string {
  const r = runTool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
  assert.equal(r.status, 0, r.output);
  // amtool adds a warning line about --alertmanager.url; the receiver is the first line.
  return r.output.trim().split('\n')[0];
}

describe('alertmanager.yml', () => {
  it('passes the real amtool check-config, template included', () => {
    const { file } = synthesizedConfigFile();
    const r = runTool('amtool', ['check-config', file]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS/);
    assert.match(r.output, /1 templates/);
  });

  it('is refused by amtool when broken, so the check above can fail', () => {
    const { file } = synthesizedConfigFile();
    const broken = file.replace(/alertmanager\.yml$/, 'broken.yml');
    const config = YAML.parse(readFileSync(file, 'utf8'));
    config.route.receiver = 'no-such-receiver';
    writeFileSync(broken, YAML.stringify(config));
    assert.notEqual(runTool('amtool', ['check-config', broken]).status, 0);
  });

  it('routes by severity: critical and warning to their Slack receivers, Watchdog to its own, info nowhere', () => {
    const { file } = synthesizedConfigFile();
    assert.equal(routeOf(file, ['alertname=NodejsHeapHighStreak', 'severity=critical', 'pod=p']), RECEIVERS.critical);
    assert.equal(routeOf(file, ['alertname=NodejsHeapUsageHigh', 'severity=warning', 'pod=p']), RECEIVERS.warning);
    assert.equal(routeOf(file, ['alertname=Watchdog', 'severity=none']), RECEIVERS.watchdog);
    assert.equal(routeOf(file, ['alertname=Something', 'severity=info']), RECEIVERS.none);
  });

  it('sends to the configured channels with resolved messages, reading the webhook from the Secret file', () => {
    const { config } = synthesizedConfigFile({ slack: { criticalChannel: '#pager', warningChannel: '#tickets' } });
    const slackOf = (name: string) => config.receivers.find((r: any) => r.name === name).slack_configs[0];
    assert.equal(slackOf(RECEIVERS.critical).channel, '#pager');
    assert.equal(slackOf(RECEIVERS.warning).channel, '#tickets');
    assert.equal(slackOf(RECEIVERS.critical).send_resolved, true);
    for (const name of [RECEIVERS.critical, RECEIVERS.warning, RECEIVERS.watchdog]) {
      assert.equal(slackOf(name).api_url_file, '/etc/alertmanager/secrets/slack/webhook-url');
    }
    assert.equal(config.receivers.find((r: any) => r.name === RECEIVERS.none).slack_configs, undefined);
  });

  it('lets a critical alert mute warnings for the same pod', () => {
    const { config } = synthesizedConfigFile();
    assert.deepEqual(config.inhibit_rules, [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['namespace', 'pod'] }]);
  });

  it('carries summary, description (with the value), pod, runbook and dashboard in its Slack template', () => {
    const { manifests } = synthesizedConfigFile();
    const template = find(manifests, 'ConfigMap', 'alertmanager-templates').data[TEMPLATE_FILE];
    for (const field of ['.Annotations.summary', '.Annotations.description', '.Labels.pod', '.Annotations.runbook_url', '.Annotations.dashboard_url']) {
      assert.ok(template.includes(field), `template uses ${field}`);
    }
  });

  it('without Slack, still passes amtool and mounts no webhook Secret', () => {
    const { file, manifests } = synthesizedConfigFile({ slack: { enabled: false } });
    assert.equal(runTool('amtool', ['check-config', file]).status, 0);
    const sts = find(manifests, 'StatefulSet', 'alertmanager');
    assert.ok(!sts.spec.template.spec.volumes.some((v: any) => v.secret));
  });
});

describe('Alertmanager StatefulSet', () => {
  it('runs alone with gossip off at one replica', () => {
    const sts = find(defaultManifests(), 'StatefulSet', 'alertmanager');
    const args: string[] = container(sts, 'alertmanager').args;
    assert.ok(args.includes('--cluster.listen-address='));
    assert.ok(!args.some((a) => a.startsWith('--cluster.peer')));
  });

  it('forms a gossip cluster over the headless Service at three replicas, with a disruption budget', () => {
    const manifests = defaultManifests({ alertmanager: { replicas: 3 } });
    const args: string[] = container(find(manifests, 'StatefulSet', 'alertmanager'), 'alertmanager').args;
    assert.deepEqual(args.filter((a) => a.startsWith('--cluster.peer=')),
      [0, 1, 2].map((i) => `--cluster.peer=alertmanager-${i}.alertmanager-headless.heapwatch.svc:9094`));
    assert.ok(args.includes('--cluster.listen-address=0.0.0.0:9094'));
    assert.equal(find(manifests, 'Service', 'alertmanager-headless').spec.publishNotReadyAddresses, true);
    assert.equal(find(manifests, 'PodDisruptionBudget', 'alertmanager').spec.maxUnavailable, 1);
  });

  it('keeps its notification log on a volume claim (so a restart does not resend)', () => {
    const sts = find(defaultManifests(), 'StatefulSet', 'alertmanager');
    assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'data');
    assert.ok(container(sts, 'alertmanager').volumeMounts.some((m: any) => m.name === 'data' && m.mountPath === '/alertmanager'));
  });
});
