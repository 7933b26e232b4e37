/**
 * The default chart with a config file: what `npm run synth` does when heapwatch.yaml (or the
 * file HEAPWATCH_CONFIG names) is there, through the real chart program and the real cdk8s CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';

const MAIN = resolve('build', 'charts', 'main.js');
const CLI = resolve('node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'heapwatch-chart-file-'));
}

describe('default chart with a config file', () => {
  it('synthesizes what heapwatch.yaml in the current directory says (docs/heapwatch.example.yaml), for an app of its own', () => {
    const cwd = tempDir();
    // The README's example file: an app of its own, with its own image, namespace and memory.
    copyFileSync('docs/heapwatch.example.yaml', join(cwd, 'heapwatch.yaml'));
    const outdir = join(cwd, 'dist');
    const r = spawnSync(process.execPath, [MAIN], { cwd, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: outdir, HEAPWATCH_CONFIG: '' }, timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.deepEqual(readdirSync(outdir).sort(), ['heapwatch.k8s.yaml', 'payments-api.k8s.yaml']);
    const app = YAML.parseAllDocuments(readFileSync(join(outdir, 'payments-api.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    const deployment = app.find((o) => o.kind === 'Deployment');
    assert.equal(deployment.metadata.namespace, 'payments');
    const container = deployment.spec.template.spec.containers[0];
    assert.equal(container.image, 'registry.example.com/payments-api:4.2.1');
    assert.equal(container.resources.limits.memory, '2Gi');
    assert.equal(container.command, undefined, "the app's image keeps its own entrypoint");
    assert.ok(!app.some((o) => o.kind === 'Namespace'), "the user's namespace is theirs: no Namespace object for it");
    assert.match(readFileSync(join(outdir, 'heapwatch.k8s.yaml'), 'utf8'), /#payments-oncall/);
  });

  it('fails through the cdk8s CLI on a bad file, naming the file, each field, value and what is allowed, and writes nothing', () => {
    const dir = tempDir();
    const file = join(dir, 'prod.yaml');
    writeFileSync(file, 'app:\n  memoryLimt: 2Gi\nheap:\n  highRatio: 1.5\n');
    const outdir = join(dir, 'dist');
    mkdirSync(outdir);
    writeFileSync(join(outdir, 'heapwatch.k8s.yaml'), '# an earlier synth\n');
    const r = spawnSync(process.execPath, [CLI, 'synth', '--output', outdir], {
      encoding: 'utf8',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', HEAPWATCH_CONFIG: file },
      timeout: 60_000,
    });
    assert.notEqual(r.status, 0);
    assert.ok(r.stderr.includes(`heapwatch config file ${file} has 2 problems:\n` +
      "  - 'app.memoryLimt' (\"2Gi\") is not a known field; allowed here: name, namespace, image, command, port, replicas, resources, nodeOptions, exposeGc, livenessPort; " +
      "did you mean 'app.resources.memoryLimit'?\n" +
      "  - 'heap.highRatio' (1.5) must be a number in (0, 1]\n"), r.stderr);
    assert.ok(!/\n\s+at /.test(r.stderr.split('Error: command')[0]), `the problems come without a stack trace:\n${r.stderr}`);
    // The CLI clears the output directory before the chart runs; the chart then writes nothing,
    // so a stale dist/ can never be applied by mistake.
    assert.ok(!existsSync(outdir), `nothing was written to ${outdir}`);
  });
});
