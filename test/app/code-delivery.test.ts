import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Testing } from 'cdk8s';
import {
  BUNDLES_DIR, CODE_ANNOTATIONS, CODE_LABEL, contentHash, EXPORTER_LOADER, exporterPartKey, gzipStable, HeapWatchedApp, MAX_PART_BYTES, sha256, shippedCode, splitEvenly,
} from '../../src/app';
import { HeapwatchConfigInput, resolveConfig } from '../../src/config';
import { AGENT_FILE, CODE_DIR, EXPORTER_FILE, EXPORTER_NODE_FLAGS } from '../../src/contract';
import { container, find, findAll, Manifest } from '../support/manifests';

const APP = { name: 'payments-api', namespace: 'payments' };

function synth(input: HeapwatchConfigInput = {}) {
  const chart = Testing.chart();
  const config = resolveConfig({ ...input, app: { ...APP, ...input.app } });
  new HeapWatchedApp(chart, 'App', { config });
  const objects = Testing.synth(chart);
  const deployment = find(objects, 'Deployment', APP.name);
  return { config, deployment, configMaps: findAll(objects, 'ConfigMap'), volumes: deployment.spec.template.spec.volumes as Manifest[] };
}

const mountAt = (c: Manifest, mountPath: string) => (c.volumeMounts ?? []).find((m: Manifest) => m.mountPath === mountPath);
/** The sidecar's parts as the pod reads them, and the names they must have: one hash of them all, then the index. */
function expectedParts(): { parts: Buffer[]; names: string[]; agentName: string } {
  const code = shippedCode();
  const parts = splitEvenly(gzipStable(code.exporter), MAX_PART_BYTES);
  const hash = contentHash(parts.map((p, i) => [exporterPartKey(i), p]));
  return { parts, names: parts.map((_, i) => `${APP.name}-heapwatch-exporter-${hash}-${i}`), agentName: `${APP.name}-heapwatch-agent-${contentHash([[AGENT_FILE, code.agent]])}` };
}
const partNames = (n: number) => {
  const { names } = expectedParts();
  assert.equal(names.length, n);
  return names;
};

describe('configmap delivery (the default)', () => {
  it("ships the agent and the gzipped sidecar as ConfigMaps in the app's namespace, byte for byte the bundles `npm run build` wrote", () => {
    const { configMaps } = synth();
    const code = shippedCode();
    const parts = configMaps.filter((m) => m.binaryData);
    assert.equal(parts.length, Math.ceil(gzipStable(code.exporter).length / MAX_PART_BYTES));
    const { agentName } = expectedParts();
    assert.deepEqual(configMaps.map((m) => m.metadata.name).sort(), [agentName, ...partNames(parts.length)].sort());
    for (const m of configMaps) assert.equal(m.metadata.namespace, APP.namespace, m.metadata.name);
    assert.equal(find(configMaps, 'ConfigMap', agentName).data[AGENT_FILE], code.agent.toString('utf8'));
    const bytes = partNames(parts.length).map((name, i) => {
      const b = Buffer.from(find(configMaps, 'ConfigMap', name).binaryData[exporterPartKey(i)], 'base64');
      assert.ok(b.length <= MAX_PART_BYTES, `${name}: ${b.length} bytes, at most ${MAX_PART_BYTES}`);
      return b;
    });
    assert.deepEqual(gunzipSync(Buffer.concat(bytes)), code.exporter);
  });

  it('runs only the official Node.js image, pinned, and every container states its command', () => {
    const { deployment, configMaps } = synth();
    const spec = deployment.spec.template.spec;
    assert.equal(spec.initContainers, undefined, 'no init container: nothing is copied');
    const sidecar = container(deployment, 'heapwatch-exporter');
    assert.match(sidecar.image, /^docker\.io\/library\/node:24\.\d+\.\d+-alpine[\d.]+$/);
    const parts = configMaps.filter((m) => m.binaryData).length;
    assert.deepEqual(sidecar.command, ['node', ...EXPORTER_NODE_FLAGS, '-e', EXPORTER_LOADER, '--', `${CODE_DIR}/${EXPORTER_FILE}`,
      ...Array.from({ length: parts }, (_, i) => `${CODE_DIR}/${exporterPartKey(i)}`)]);
    assert.equal(sidecar.args, undefined);
    // The sample app states its own (charts/sample-app.ts); a user's app keeps its image's.
    assert.ok(container(deployment, 'app').image);
  });

  it("mounts the code read-only: the agent alone in the app container, the sidecar's own code alone in the sidecar", () => {
    const { deployment, volumes, configMaps } = synth();
    const app = container(deployment, 'app');
    const sidecar = container(deployment, 'heapwatch-exporter');
    const appMount = mountAt(app, CODE_DIR);
    const sidecarMount = mountAt(sidecar, CODE_DIR);
    assert.deepEqual([appMount?.readOnly, sidecarMount?.readOnly], [true, true]);
    const agentVolume = volumes.find((v) => v.name === appMount.name)!;
    assert.deepEqual(agentVolume.configMap, { name: expectedParts().agentName, defaultMode: 0o444, items: [{ key: AGENT_FILE, path: AGENT_FILE }] });
    const sidecarVolume = volumes.find((v) => v.name === sidecarMount.name)!;
    const parts = configMaps.filter((m) => m.binaryData).length;
    assert.equal(sidecarVolume.projected.defaultMode, 0o444);
    assert.deepEqual(sidecarVolume.projected.sources, partNames(parts).map((name, i) => ({ configMap: { name, items: [{ key: exporterPartKey(i), path: exporterPartKey(i) }] } })));
    // Neither container mounts the other's code at all.
    const codeVolumes = new Set([agentVolume.name, sidecarVolume.name]);
    assert.deepEqual(app.volumeMounts.filter((m: Manifest) => codeVolumes.has(m.name)).map((m: Manifest) => m.name), [agentVolume.name]);
    assert.deepEqual(sidecar.volumeMounts.filter((m: Manifest) => codeVolumes.has(m.name)).map((m: Manifest) => m.name), [sidecarVolume.name]);
    assert.match(app.env.find((e: Manifest) => e.name === 'NODE_OPTIONS').value, new RegExp(`^--require ${CODE_DIR}/${AGENT_FILE} `));
  });

  it('names the code ConfigMaps by their content and makes them immutable, so a pod never mixes two versions and a rollback finds its own', () => {
    const { configMaps } = synth();
    for (const m of configMaps) {
      assert.equal(m.immutable, true, m.metadata.name);
      assert.equal(m.metadata.labels[CODE_LABEL], m.binaryData ? 'exporter' : 'agent', m.metadata.name);
      assert.match(m.metadata.name, /^payments-api-heapwatch-(agent-[0-9a-f]{8}|exporter-[0-9a-f]{8}-\d+)$/);
    }
    // The name follows every byte, and how the bytes are split: an immutable ConfigMap is never asked to change.
    const a = Buffer.from('module.exports = 1;\n');
    assert.equal(contentHash([['k', a]]), contentHash([['k', Buffer.from(a)]]));
    assert.notEqual(contentHash([['k', a]]), contentHash([['k', Buffer.from('module.exports = 2;\n')]]));
    assert.notEqual(contentHash([['k.0', a.subarray(0, 4)], ['k.1', a.subarray(4)]]), contentHash([['k.0', a.subarray(0, 5)], ['k.1', a.subarray(5)]]));
    assert.notEqual(contentHash([['k.0', a]]), contentHash([['k.1', a]]));
  });

  it('annotates the pod template with the sha256 of the code it runs, so a new bundle rolls the pods', () => {
    const { deployment } = synth();
    const files = (name: string) => fs.readFileSync(path.join(BUNDLES_DIR, name));
    assert.deepEqual(deployment.spec.template.metadata.annotations, {
      [CODE_ANNOTATIONS.agent]: sha256(files(AGENT_FILE)),
      [CODE_ANNOTATIONS.exporter]: sha256(files(EXPORTER_FILE)),
    });
    assert.match(deployment.spec.template.metadata.annotations[CODE_ANNOTATIONS.exporter], /^[0-9a-f]{64}$/);
  });

  it('ships only the sidecar when it scrapes the app instead of running the agent', () => {
    const { deployment, configMaps } = synth({ exporter: { source: 'scrape' as any } });
    assert.ok(configMaps.every((m) => m.binaryData), configMaps.map((m) => m.metadata.name).join(', '));
    assert.equal(mountAt(container(deployment, 'app'), CODE_DIR), undefined);
    assert.deepEqual(Object.keys(deployment.spec.template.metadata.annotations), [CODE_ANNOTATIONS.exporter]);
  });
});

describe('image delivery (exporter.delivery: image)', () => {
  it("runs the image's files with the same flags, from the image named, with no code ConfigMaps", () => {
    const image = 'registry.example.test/team/heapwatch-exporter:0.1.0';
    const { deployment, configMaps } = synth({ exporter: { delivery: 'image' as any, image } });
    assert.deepEqual(configMaps, []);
    const sidecar = container(deployment, 'heapwatch-exporter');
    assert.equal(sidecar.image, image);
    assert.deepEqual(sidecar.command, ['node', ...EXPORTER_NODE_FLAGS, `${CODE_DIR}/${EXPORTER_FILE}`]);
    assert.equal(mountAt(sidecar, CODE_DIR), undefined, 'the image holds the code');
    assert.equal(container(deployment, 'heapwatch-agent-init').image, image);
    assert.equal(deployment.spec.template.metadata.annotations, undefined);
  });
});

describe('the sidecar loader (EXPORTER_LOADER)', () => {
  const program = [
    "const os = require('node:os');",
    'process.stdout.write(JSON.stringify({ filename: __filename, dirname: __dirname, argv: process.argv.slice(1), builtin: typeof os.cpus,',
    "  exportsBound: this === module.exports && exports === module.exports, frame: new Error('where').stack.split('\\n')[1].trim() }));",
  ].join('\n');

  function partsOf(dir: string, bytes: Buffer, n: number): string[] {
    return splitEvenly(gzipStable(bytes), Math.ceil(gzipStable(bytes).length / n)).map((b, i) => {
      const file = path.join(dir, `prog.js.gz.${i}`);
      fs.writeFileSync(file, b);
      return file;
    });
  }
  const run = (parts: string[]) => spawnSync(process.execPath, [...EXPORTER_NODE_FLAGS, '-e', EXPORTER_LOADER, '--', '/opt/heapwatch/prog.js', ...parts], { encoding: 'utf8', env: { PATH: process.env.PATH } });

  it('runs the gzip parts, in order, as the CommonJS module it names: require, __filename, stack traces and argv as if from disk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-loader-'));
    try {
      const r = run(partsOf(dir, Buffer.from(program), 3));
      assert.equal(r.status, 0, r.stderr);
      const seen = JSON.parse(r.stdout);
      assert.deepEqual(seen, {
        filename: '/opt/heapwatch/prog.js',
        dirname: '/opt/heapwatch',
        argv: ['/opt/heapwatch/prog.js'],
        builtin: 'function',
        exportsBound: true,
        frame: seen.frame,
      });
      assert.match(seen.frame, /\/opt\/heapwatch\/prog\.js:\d+:\d+/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs nothing when a part changed or the parts are out of order: gunzip refuses the stream', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-loader-'));
    try {
      const parts = partsOf(dir, Buffer.from(program), 3);
      const reversed = run([...parts].reverse());
      assert.notEqual(reversed.status, 0);
      assert.equal(reversed.stdout, '');
      const middle = fs.readFileSync(parts[1]);
      middle[Math.floor(middle.length / 2)] ^= 0xff;
      fs.writeFileSync(parts[1], middle);
      const changed = run(parts);
      assert.notEqual(changed.status, 0);
      assert.equal(changed.stdout, '');
      assert.match(changed.stderr, /incorrect|invalid|unexpected end/i);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
