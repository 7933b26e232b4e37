import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultManifests } from '../../charts/default-app';
import { ConfigError, ConfigFileError, DeployMode, findConfigFile, loadConfigFile, readConfigFile, resolveConfig } from '../../src/config';

/** A fresh directory holding the given files. */
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'heapwatch-config-file-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The problems of loading from `cwd`, failing the test if the file was accepted. */
function fileProblems(cwd: string, env: Record<string, string> = {}): { file: string; problems: readonly string[]; message: string } {
  try {
    loadConfigFile({ cwd, env });
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, `expected ConfigFileError, got ${e}`);
    assert.ok(e instanceof ConfigError, 'a ConfigFileError is a ConfigError, so callers catch one kind');
    return { file: e.file, problems: e.problems, message: e.message };
  }
  assert.fail('the config file was accepted');
}

describe('config file', () => {
  it('is optional: no heapwatch.yaml means the defaults', () => {
    const cwd = dirWith({});
    assert.equal(findConfigFile({ cwd, env: {} }), undefined);
    assert.deepEqual(loadConfigFile({ cwd, env: {} }), { input: {} });
  });

  it('reads heapwatch.yaml from the directory synth runs in, merged over the defaults', () => {
    const cwd = dirWith({
      'heapwatch.yaml': [
        '# the payments team',
        'app:',
        '  name: payments-api',
        '  namespace: payments',
        '  image: registry.example.com/payments-api:4.2.1',
        '  resources: { memoryLimit: 2Gi, memoryRequest: 2Gi }',
        'slack:',
        '  criticalChannel: "#payments-oncall"',
        '',
      ].join('\n'),
    });
    const { file, input } = loadConfigFile({ cwd, env: {} });
    assert.equal(file, join(cwd, 'heapwatch.yaml'));
    const c = resolveConfig(input);
    assert.equal(c.app.name, 'payments-api');
    assert.equal(c.app.resources.memoryLimit, '2Gi');
    assert.equal(c.app.resources.cpuLimit, '1', 'a field the file leaves out keeps its default');
    assert.equal(c.slack.criticalChannel, '#payments-oncall');
    assert.equal(c.slack.warningChannel, '#heapwatch-warnings');
  });

  it('reads the JSON file HEAPWATCH_CONFIG names, relative to the current directory, in place of heapwatch.yaml', () => {
    const cwd = dirWith({ 'heapwatch.yaml': 'heap: { highRatio: 0.8 }\n' });
    mkdirSync(join(cwd, 'deploy'));
    writeFileSync(join(cwd, 'deploy', 'prod.json'), JSON.stringify({ heap: { highRatio: 0.9 } }));
    const { file, input } = loadConfigFile({ cwd, env: { HEAPWATCH_CONFIG: 'deploy/prod.json' } });
    assert.equal(file, join(cwd, 'deploy', 'prod.json'));
    assert.equal(resolveConfig(input).heap.highRatio, 0.9);
  });

  it('fails if HEAPWATCH_CONFIG names a file that does not exist (it never falls back to the defaults)', () => {
    const { file, problems } = fileProblems(dirWith({}), { HEAPWATCH_CONFIG: 'prod.yaml' });
    assert.equal(file, 'prod.yaml');
    assert.match(problems[0], /HEAPWATCH_CONFIG \("prod.yaml"\) names a file that does not exist/);
  });

  it('reads JSON and YAML saved with a UTF-8 byte order mark', () => {
    const cwd = dirWith({ 'prod.json': `\uFEFF${JSON.stringify({ heap: { highRatio: 0.9 } })}`, 'heapwatch.yaml': '\uFEFFheap: { highRatio: 0.8 }\n' });
    assert.equal(resolveConfig(loadConfigFile({ cwd, env: { HEAPWATCH_CONFIG: 'prod.json' } }).input).heap.highRatio, 0.9);
    assert.equal(resolveConfig(loadConfigFile({ cwd, env: {} }).input).heap.highRatio, 0.8);
    // Only a leading one: a BOM anywhere else is still malformed JSON.
    assert.match(fileProblems(dirWith({ 'a.json': '{}\uFEFF' }), { HEAPWATCH_CONFIG: 'a.json' }).problems[0], /^is not valid JSON/);
  });

  it('fails on a typo in a field name, naming the file, the field, its value, what is allowed and the nearest field', () => {
    const cwd = dirWith({ 'heapwatch.yaml': 'app:\n  resources:\n    memoryLimt: 2Gi\n' });
    const { file, problems, message } = fileProblems(cwd);
    assert.equal(file, 'heapwatch.yaml');
    assert.match(message, /^heapwatch config file heapwatch.yaml has 1 problem:/);
    assert.deepEqual(problems, ["'app.resources.memoryLimt' (\"2Gi\") is not a known field; allowed here: cpuRequest, cpuLimit, memoryRequest, memoryLimit; " +
      "did you mean 'app.resources.memoryLimit'?"]);
  });

  it('fails on bad values, listing every problem with its field, value and what is allowed', () => {
    const cwd = dirWith({ 'heapwatch.yaml': 'heap:\n  highRatio: 2\nalerts:\n  heapHighFor: soon\nprometheus:\n  remoteWrite:\n    - { url: "https://mimir.example.com/api/v1/push", nmae: mimir }\n' });
    const { problems } = fileProblems(cwd);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.ok(problems.includes("'heap.highRatio' (2) must be a number in (0, 1]"), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith("'alerts.heapHighFor' (\"soon\") must be a Prometheus duration")), problems.join('\n'));
    assert.ok(problems.includes("'prometheus.remoteWrite[0].nmae' (\"mimir\") is not a known field; allowed here: url, name; did you mean 'prometheus.remoteWrite[0].name'?"),
      problems.join('\n'));
  });

  it("echoes an unknown field's value, but only a URL's origin, a long value's start, and never a secret-like key's", () => {
    const cwd = dirWith({
      'heapwatch.yaml': [
        'slack:',
        '  webhook: https://hooks.slack.example/services/T000/B000/not-a-real-secret',
        '  apiToken: not-a-real-token',
        'app:',
        `  imag: registry.example.com/${'x'.repeat(80)}:1`,
        '',
      ].join('\n'),
    });
    const { problems } = fileProblems(cwd);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith(`'slack.webhook' (value not shown) is not a known field; allowed here: `)), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith(`'slack.apiToken' (value not shown) is not a known field`)), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith(`'app.imag' ("registry.example.com/${'x'.repeat(35)}...) is not a known field`)), problems.join('\n'));
    assert.ok(!problems.join('\n').includes('not-a-real'), 'no secret-like value is echoed');
  });

  it('echoes a URL of an unknown field as its origin only', () => {
    const { problems } = fileProblems(dirWith({ 'heapwatch.yaml': 'grafana:\n  externalUrll: https://user:pass@grafana.example.com/d/x?auth=1\n' }));
    assert.ok(problems[0].startsWith(`'grafana.externalUrll' ("https://grafana.example.com/...") is not a known field`), problems[0]);
  });

  it('says to quote a YAML number where a string belongs', () => {
    const { problems } = fileProblems(dirWith({ 'heapwatch.yaml': 'app:\n  resources:\n    cpuLimit: 2\n' }));
    assert.deepEqual(problems, ["'app.resources.cpuLimit' (2) must be a string; in YAML, quote it: \"2\""]);
  });

  it('fails on malformed YAML with every error and its line, including a key given twice', () => {
    const { problems } = fileProblems(dirWith({ 'heapwatch.yaml': 'heap:\n  highRatio: 0.8\n  highRatio: 0.9\nslack: [\n' }));
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0], /^line 3, column 3: Map keys must be unique/);
    assert.match(problems[1], /^line \d+, column \d+: /);
  });

  it('fails on malformed JSON, and on a file that does not hold a mapping', () => {
    const json = fileProblems(dirWith({ 'c.json': '{ "heap": { "highRatio": 0.9, } }' }), { HEAPWATCH_CONFIG: 'c.json' });
    assert.equal(json.file, 'c.json');
    assert.match(json.problems[0], /^is not valid JSON: .*position \d+/);
    const list = fileProblems(dirWith({ 'heapwatch.yaml': '- heap\n- app\n' }));
    assert.deepEqual(list.problems, ['must hold one mapping of config fields at the top, not a list']);
  });

  it('takes an empty file as the defaults', () => {
    const cwd = dirWith({ 'heapwatch.yaml': '# nothing changed yet\n' });
    assert.deepEqual(loadConfigFile({ cwd, env: {} }).input, {});
  });

  it('fails on a file it cannot read, and on a file name that is neither YAML nor JSON', () => {
    const cwd = dirWith({ 'heapwatch.toml': 'x = 1' });
    mkdirSync(join(cwd, 'heapwatch.yaml'));
    const unreadable = fileProblems(cwd);
    assert.equal(unreadable.file, 'heapwatch.yaml');
    assert.match(unreadable.problems[0], /^cannot be read: EISDIR/);
    assert.throws(() => readConfigFile(join(cwd, 'heapwatch.toml'), { cwd }),
      (e: unknown) => e instanceof ConfigFileError && e.problems[0] === 'the file name must end in .yaml, .yml, .json (YAML or JSON)');
  });

  it('fails on heapwatch.yml or heapwatch.json rather than silently ignoring it', () => {
    const { problems } = fileProblems(dirWith({ 'heapwatch.yml': 'heap: { highRatio: 0.9 }\n' }));
    assert.deepEqual(problems, ['heapwatch reads heapwatch.yaml, not heapwatch.yml: rename it, or set HEAPWATCH_CONFIG=heapwatch.yml']);
  });

  it("accepts docs/heapwatch.example.yaml, the README's example", () => {
    const input = readConfigFile('docs/heapwatch.example.yaml');
    const c = resolveConfig(input);
    assert.notEqual(c.app.image, resolveConfig().app.image, 'the example watches an app of its own');
  });

  it("accepts docs/heapwatch.operator.example.yaml, the README's operator-mode example, and synthesizes operator mode from it", () => {
    const input = readConfigFile('docs/heapwatch.operator.example.yaml');
    const c = resolveConfig(input);
    assert.deepEqual([c.mode, c.operator.release, c.app.namespace], [DeployMode.OPERATOR, 'kube-prometheus-stack', 'payments']);
    const kinds = defaultManifests(input).map((o) => o.kind);
    assert.deepEqual(kinds.filter((k) => ['PrometheusRule', 'PodMonitor', 'AlertmanagerConfig', 'StatefulSet'].includes(k)), ['PrometheusRule', 'PodMonitor', 'AlertmanagerConfig']);
  });
});
