import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG, derive, resolveConfig } from '../../src/config';
import { problemsOf } from '../support/config-problems';

/** Asserts exactly one problem, that it names the field and the value, and matches `allowed`. */
function assertOneProblem(input: unknown, field: string, value: string, allowed: RegExp) {
  const problems = problemsOf(input);
  assert.equal(problems.length, 1, `expected one problem, got:\n${problems.join('\n')}`);
  assert.ok(problems[0].startsWith(`'${field}'`), `names the field: ${problems[0]}`);
  assert.ok(problems[0].includes(value), `shows the value ${value}: ${problems[0]}`);
  assert.match(problems[0], allowed);
}

describe('config defaults', () => {
  it('are the documented values users rely on (changing one is a breaking change)', () => {
    const c = resolveConfig();
    assert.equal(c.heap.highRatio, 0.85);
    assert.equal(c.heap.targetRatio, 0.7);
    assert.equal(c.heap.checkIntervalSeconds, 15);
    assert.equal(c.heap.streakAlertChecks, 20);
    assert.equal(c.heap.livenessFailChecks, 60);
    assert.equal(c.heap.oldSpaceLimitRatio, 0.75);
    assert.equal(c.app.resources.memoryLimit, '1Gi');
    // No heapwatch image is needed: the code travels in dist/ and runs on the official Node.js image.
    assert.equal(c.exporter.delivery, 'configmap');
    assert.match(c.exporter.image, /^docker\.io\/library\/node:24\.\d+\.\d+-alpine[\d.]+$/);
  });

  it('derive the V8 heap limit and streak durations', () => {
    const d = derive(resolveConfig());
    assert.equal(d.maxOldSpaceSizeMiB, 768);
    assert.equal(d.streakAlertDuration, '5m');
    assert.equal(d.livenessFailDuration, '15m');
    assert.equal(d.checkInterval, '15s');
    const small = derive(resolveConfig({ app: { resources: { memoryLimit: '512Mi', memoryRequest: '256Mi' } }, heap: { livenessFailChecks: 0 } }));
    assert.equal(small.maxOldSpaceSizeMiB, 384);
    assert.equal(small.livenessFailDuration, undefined);
  });

  it('derive a young generation that keeps heap.highRatio reachable for every memory limit', () => {
    for (const [limit, old, semi] of [['1Gi', 768, 16], ['512Mi', 384, 8], ['192Mi', 144, 4], ['128Mi', 96, 2], ['8Gi', 6144, 16]] as const) {
      const d = derive(resolveConfig({ app: { resources: { memoryLimit: limit, memoryRequest: limit } } }));
      assert.equal(d.maxOldSpaceSizeMiB, old, `old space for ${limit}`);
      assert.equal(d.maxSemiSpaceSizeMiB, semi, `semi-space for ${limit}`);
      assert.ok(d.maxReachableRatio > 0.9, `reachable ratio for ${limit}: ${d.maxReachableRatio}`);
    }
  });

  it('keeps the defaults object untouched and returns a frozen config', () => {
    const c = resolveConfig({ heap: { highRatio: 0.9 } });
    assert.equal(DEFAULT_CONFIG.heap.highRatio, 0.85);
    assert.ok(Object.isFrozen(c.heap));
  });
});

describe('config validation', () => {
  const cases: [string, unknown, string, string, RegExp][] = [
    ['a decimal-byte suffix Kubernetes rejects', { app: { resources: { memoryLimit: '512MB' } } }, 'app.resources.memoryLimit', '"512MB"', /Kubernetes quantity/],
    ['a negative quantity', { app: { resources: { memoryLimit: '-1Gi' } } }, 'app.resources.memoryLimit', '"-1Gi"', /Kubernetes quantity/],
    ['an empty quantity', { prometheus: { resources: { memoryRequest: '' } } }, 'prometheus.resources.memoryRequest', '""', /Kubernetes quantity/],
    ['a request above its limit', { app: { resources: { memoryRequest: '2Gi' } } }, 'app.resources.memoryRequest', '"2Gi"', /must not exceed app.resources.memoryLimit \("1Gi"\)/],
    ['a CPU request above its limit', { grafana: { resources: { cpuRequest: '2' } } }, 'grafana.resources.cpuRequest', '"2"', /must not exceed/],
    ['a ratio above 1', { heap: { highRatio: 1.5 } }, 'heap.highRatio', '1.5', /\(0, 1\]/],
    ['a zero ratio', { alerts: { gcPressureRatio: 0 } }, 'alerts.gcPressureRatio', '0', /\(0, 1\]/],
    ['a NaN ratio', { alerts: { containerMemoryRatio: NaN } }, 'alerts.containerMemoryRatio', 'NaN', /\(0, 1\]/],
    ['a target above the high ratio', { heap: { targetRatio: 0.9 } }, 'heap.targetRatio', '0.9', /below 'heap.highRatio' \(0.85\)/],
    ['a streak count below 1', { heap: { streakAlertChecks: 0 } }, 'heap.streakAlertChecks', '0', /whole number >= 1/],
    ['a fractional streak count', { heap: { streakAlertChecks: 2.5, livenessFailChecks: 0 } }, 'heap.streakAlertChecks', '2.5', /whole number/],
    ['a liveness count not above the alert count', { heap: { livenessFailChecks: 20 } }, 'heap.livenessFailChecks', '20', /0 \(disabled\) or above 'heap.streakAlertChecks' \(20\)/],
    ['a negative liveness count', { heap: { livenessFailChecks: -1 } }, 'heap.livenessFailChecks', '-1', /whole number >= 0/],
    ['zero app replicas', { app: { replicas: 0 } }, 'app.replicas', '0', /whole number >= 1/],
    ['fractional alertmanager replicas', { alertmanager: { replicas: 1.5 } }, 'alertmanager.replicas', '1.5', /whole number >= 1/],
    ['a duration without a unit', { alerts: { heapHighFor: '5' } }, 'alerts.heapHighFor', '"5"', /Prometheus duration/],
    ['a duration in the wrong order', { alertmanager: { groupWait: '30s1m' } }, 'alertmanager.groupWait', '"30s1m"', /Prometheus duration/],
    ['a zero duration', { prometheus: { retention: '0d' } }, 'prometheus.retention', '"0d"', /Prometheus duration/],
    ['an upper-case namespace', { namespace: 'HeapWatch' }, 'namespace', '"HeapWatch"', /RFC 1123/],
    ['an app name with an underscore', { app: { name: 'my_app' } }, 'app.name', '"my_app"', /RFC 1123/],
    ['a namespace longer than 63', { app: { namespace: 'a'.repeat(64) } }, 'app.namespace', 'a'.repeat(64), /RFC 1123/],
    ['the latest tag', { app: { image: 'my/app:latest' } }, 'app.image', '"my/app:latest"', /"latest"/],
    ['no tag at all', { grafana: { image: 'grafana/grafana' } }, 'grafana.image', '"grafana/grafana"', /explicit tag or digest/],
    ['an empty image', { exporter: { image: '' } }, 'exporter.image', '""', /explicit tag or digest/],
    ['a registry port mistaken for a tag', { prometheus: { image: 'registry:5000/prometheus' } }, 'prometheus.image', '"registry:5000/prometheus"', /explicit tag or digest/],
    ['Slack enabled without a channel', { slack: { criticalChannel: '' } }, 'slack.criticalChannel', '""', /Slack channel/],
    ['Slack enabled without a Secret name', { slack: { webhookSecretName: '' } }, 'slack.webhookSecretName', '""', /RFC 1123 subdomain/],
    ['a duplicate port', { exporter: { port: 3000 } }, 'exporter.port', '3000', /must differ from 'app.port' \(3000\)/],
    ['the inspector port', { app: { livenessPort: 9229 } }, 'app.livenessPort', '9229', /inspector/],
    ['a port out of range', { app: { port: 70000 } }, 'app.port', '70000', /1 to 65535/],
    ['a check interval of zero', { heap: { checkIntervalSeconds: 0 } }, 'heap.checkIntervalSeconds', '0', /1 to 300/],
    ['an old-space ratio leaving no native memory', { heap: { oldSpaceLimitRatio: 1 } }, 'heap.oldSpaceLimitRatio', '1', /0.25 to 0.9/],
    ['a memory limit too small for a V8 heap', { app: { resources: { memoryLimit: '64Mi', memoryRequest: '64Mi' } } }, 'app.resources.memoryLimit', '"64Mi"', /at least 64 MiB/],
    ['NODE_OPTIONS that set the heap limit', { app: { nodeOptions: '--max-old-space-size=4096' } }, 'app.nodeOptions', '--max-old-space-size=4096', /derived/],
    ['NODE_OPTIONS that open the inspector', { app: { nodeOptions: '--inspect=0.0.0.0:9229' } }, 'app.nodeOptions', '--inspect', /9229/],
    ['an unknown ratio basis', { heap: { ratioBasis: 'rss' } }, 'heap.ratioBasis', '"rss"', /"limit", "total"/],
    ['a runbook URL that is not http(s)', { alerts: { runbookBaseUrl: 'ftp://x/runbooks' } }, 'alerts.runbookBaseUrl', '"ftp://x/runbooks"', /http/],
    ['a remote-write URL with credentials', { prometheus: { remoteWrite: [{ url: 'https://u:p@mimir.example/api/v1/push' }] } }, 'prometheus.remoteWrite[0].url', '', /credentials/],
    ['a typo in a field name', { heap: { hihgRatio: 0.9 } }, 'heap.hihgRatio', '', /not a known field; allowed here: highRatio/],
    ['a typo in a field name, with the nearest field', { heap: { hihgRatio: 0.9 } }, 'heap.hihgRatio', '', /; did you mean 'heap\.highRatio'\?$/],
    ['a field one level off', { app: { memoryLimit: '2Gi' } }, 'app.memoryLimit', '', /not a known field.*; did you mean 'app\.resources\.memoryLimit'\?$/],
    ['an unknown field far from every known one', { app: { colour: 'blue' } }, 'app.colour', '', /allowed here: name, namespace, image, command, port, replicas, resources, nodeOptions, exposeGc, livenessPort$/],
    ['an unknown field in a remote-write target', { prometheus: { remoteWrite: [{ url: 'https://mimir.example/api/v1/push', headers: {} }] } },
      'prometheus.remoteWrite[0].headers', '', /not a known field; allowed here: url, name$/],
    ['an external label name Prometheus refuses', { prometheus: { externalLabels: { 'eu-cluster': 'a' } } }, 'prometheus.externalLabels', '"eu-cluster"', /Prometheus label name/],
    ['a reserved external label name', { prometheus: { externalLabels: { __cluster: 'a' } } }, 'prometheus.externalLabels', '"__cluster"', /not starting with "__"/],
    ['heapwatch\'s own replica label', { prometheus: { externalLabels: { replica: 'a' } } }, 'prometheus.externalLabels.replica', '', /heapwatch's own/],
    ['an external label value Prometheus would expand', { prometheus: { externalLabels: { cluster: '${CLUSTER}' } } }, 'prometheus.externalLabels.cluster', '"${CLUSTER}"', /without "\$"/],
    ['an empty external label value', { prometheus: { externalLabels: { cluster: '' } } }, 'prometheus.externalLabels.cluster', '""', /non-empty string/],
    ['external labels as a list', { prometheus: { externalLabels: ['cluster=eu-1'] } }, 'prometheus.externalLabels', '["cluster=eu-1"]', /must be an object/],
    ['a string where a number belongs', { heap: { highRatio: '0.9' } }, 'heap.highRatio', '"0.9"', /must be a number/],
    ['a string where a boolean belongs', { prometheus: { dropUnusedSeries: 'false' } }, 'prometheus.dropUnusedSeries', '"false"', /must be a boolean/],
    ['a semi-space that is not a power of two', { heap: { maxSemiSpaceMiB: 12 } }, 'heap.maxSemiSpaceMiB', '12', /power of two/],
    ['NODE_OPTIONS that set the semi-space', { app: { nodeOptions: '--max-semi-space-size=64' } }, 'app.nodeOptions', '--max-semi-space-size=64', /derived/],
    ['a high ratio the heap can never reach', { heap: { highRatio: 0.95 } }, 'heap.highRatio', '0.95', /must be below 0\.941, the highest heap ratio this app can reach/],
    ['a young generation that hides the threshold', { heap: { maxSemiSpaceMiB: 64 } }, 'heap.highRatio', '0.85', /must be below 0\.800.*heap.maxSemiSpaceMiB/],
    ['a snapshot count of zero', { exporter: { snapshots: { maxKept: 0 } } }, 'exporter.snapshots.maxKept', '0', /1 to 100/],
    ['an unknown delivery', { exporter: { delivery: 'helm' } }, 'exporter.delivery', '"helm"', /"configmap", "image"/],
    ['image delivery from the official Node.js image, which holds no heapwatch code', { exporter: { delivery: 'image' } }, 'exporter.image', '"docker.io/library/node:24.11.1-alpine3.22"', /the image you built from src\/exporter\/Dockerfile/],
    ['lean mode without the agent', { exporter: { sidecar: false, source: 'scrape' } }, 'exporter.sidecar', 'false', /can be false only with exporter.source "agent"/],
    ['image delivery from a short official Node.js name', { exporter: { delivery: 'image', image: 'node:24-alpine' } }, 'exporter.image', '"node:24-alpine"', /the image you built/],
  ];
  for (const [what, input, field, value, allowed] of cases) {
    it(`fails on ${what}`, () => assertOneProblem(input, field, value, allowed));
  }

  it('fails on a literal webhook URL where a Secret name belongs, without echoing the URL', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/notarealtoken';
    const problems = problemsOf({ slack: { webhookSecretName: url } });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^'slack.webhookSecretName'.*must name a Kubernetes Secret/);
    assert.ok(!problems[0].includes('notarealtoken'), 'the URL path is redacted');
  });

  it('fails on a webhook URL field, pointing at the Secret', () => {
    const problems = problemsOf({ slack: { webhookUrl: 'https://hooks.slack.com/x' } });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /'slack.webhookUrl' is not allowed: a secret must never be written.*slack.webhookSecretName/);
  });

  it('does not require Slack fields when Slack is disabled', () => {
    assert.doesNotThrow(() => resolveConfig({ slack: { enabled: false, criticalChannel: '', webhookSecretName: '' } }));
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      namespace: 'Bad_NS',
      heap: { highRatio: 2, streakAlertChecks: 0 },
      app: { image: 'x:latest', resources: { memoryLimit: '1GB' } },
      bogus: true,
    });
    const fields = problems.map((p) => p.slice(1, p.indexOf("'", 1)));
    for (const f of ['namespace', 'heap.highRatio', 'heap.streakAlertChecks', 'app.image', 'app.resources.memoryLimit', 'bogus']) {
      assert.ok(fields.includes(f), `${f} is reported among ${fields.join(', ')}`);
    }
  });

  it('accepts digests and registry ports with tags', () => {
    assert.doesNotThrow(() => resolveConfig({
      app: { image: `registry:5000/team/app@sha256:${'a'.repeat(64)}` },
      prometheus: { image: 'registry:5000/prometheus:v2.55.1' },
    }));
  });
});
