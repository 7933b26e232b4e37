import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createDefaultApp } from '../../charts/default-app';
import { OPERATOR_INPUT } from '../support/operator-config';
import { scanManifestText } from '../support/secret-scan';

function synthTo(input = {}): string {
  const outdir = mkdtempSync(join(tmpdir(), 'heapwatch-dist-'));
  createDefaultApp(input, { outdir }).synth();
  return outdir;
}

function scanDir(dir: string) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 2, `synthesized files in ${dir}: ${files.join(', ')}`);
  return files.flatMap((f) => scanManifestText(f, readFileSync(join(dir, f), 'utf8')));
}

// What the cdk8s CLI itself writes (the files of `npm run synth`) is scanned in test/chart/synth.test.ts.
describe('no secret in dist/', () => {
  it('holds for the default deployment', () => {
    assert.deepEqual(scanDir(synthTo()), []);
  });

  it('holds with Slack, remote write and every option that references a Secret set', () => {
    const dir = synthTo({
      slack: { webhookSecretName: 'team-slack', webhookSecretKey: 'url' },
      grafana: { adminSecretName: 'team-grafana' },
      exporter: { snapshots: { tokenSecretName: 'team-snapshots' } },
      prometheus: { remoteWrite: [{ url: 'https://mimir.example.test/api/v1/push' }] },
    });
    assert.deepEqual(scanDir(dir), []);
  });

  it('holds in operator mode (PrometheusRule, PodMonitor, AlertmanagerConfig, dashboard ConfigMap), Slack set', () => {
    assert.deepEqual(scanDir(synthTo({ ...OPERATOR_INPUT, slack: { webhookSecretName: 'team-slack', webhookSecretKey: 'url' } })), []);
  });

  it('catches a literal URL or key in an AlertmanagerConfig receiver, which the schema lets through for some fields', () => {
    const clean = readFileSync(join(synthTo(OPERATOR_INPUT), 'sample-app.k8s.yaml'), 'utf8');
    const plants = [
      clean.replace(/apiURL:\n(\s+)key: webhook-url\n\s+name: heapwatch-slack/, 'apiURL: https://example.invalid/services/canary'),
      clean.replace('- name: "null"', '- name: "null"\n      webhookConfigs:\n        - url: https://example.invalid/canary'),
    ];
    for (const text of plants) {
      assert.notEqual(text, clean, 'the plant changed the text');
      assert.ok(scanManifestText('planted.yaml', text).some((f) => f.rule === 'alertmanager-config-literal-secret'), text.slice(-1500));
    }
  });

  it('catches planted secrets of every kind, so a clean scan means something', () => {
    const clean = readFileSync(join(synthTo(), 'heapwatch.k8s.yaml'), 'utf8');
    const plants: [string, string][] = [
      ['slack-webhook-url', clean.replace('resolve_timeout: 5m', 'resolve_timeout: 5m\n      x: https://hooks.slack.com/services/T0/B0/canary')],
      ['alertmanager-literal-url', clean.replace('api_url_file:', 'api_url:')],
      ['secret-in-env', clean.replace(/GF_SECURITY_ADMIN_PASSWORD__FILE(\s+)value: \/etc\/grafana\/admin\/admin-password/, 'GF_SECURITY_ADMIN_PASSWORD$1value: canary-not-a-path')],
      ['secret-object', `${clean}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\nstringData:\n  token: canary\n`],
      ['private-key', `${clean}# -----BEGIN RSA PRIVATE KEY-----\n`],
      ['url-credentials', clean.replace('http://prometheus.heapwatch.svc:9090', 'http://admin:canary@prometheus.heapwatch.svc:9090')],
    ];
    for (const [rule, text] of plants) {
      assert.notEqual(text, clean, `the ${rule} plant changed the text`);
      const rules = scanManifestText('planted.yaml', text).map((f) => f.rule);
      assert.ok(rules.includes(rule), `${rule} is caught (found: ${rules.join(', ') || 'nothing'})`);
    }
  });
});
