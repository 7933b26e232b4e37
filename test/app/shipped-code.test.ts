import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { defaultManifests } from '../../charts/default-app';
import { BUNDLES_DIR, exporterPartKey, gzipStable, shippedCode, splitEvenly } from '../../src/app';
import { AGENT_FILE, EXPORTER_FILE } from '../../src/contract';
import { bundleAgent, bundleExporter } from '../../scripts/bundle';
import { REPO_ROOT } from '../support/repo-root';
import { find, Manifest } from '../support/manifests';

describe('shipped code', () => {
  it("reads the package's own build/bundles", () => {
    assert.equal(BUNDLES_DIR, path.join(REPO_ROOT, 'build', 'bundles'));
  });

  it('fails naming every missing file and the command that writes them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-no-bundles-'));
    try {
      assert.throws(() => shippedCode(dir), (e: Error) => {
        assert.equal(e.message, `heapwatch's shipped code is missing: ${path.join(dir, AGENT_FILE)} and ${path.join(dir, EXPORTER_FILE)} do not exist; run \`npm run build\` to bundle it`);
        return true;
      });
      fs.writeFileSync(path.join(dir, AGENT_FILE), '');
      assert.throws(() => shippedCode(dir), new RegExp(`missing: ${path.join(dir, EXPORTER_FILE).replace(/[.]/g, '\\.')} does not exist; run \`npm run build\``));
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('gzips to the same bytes every time: mtime 0, OS Unix, and back to the input', () => {
    const input = Buffer.from('module.exports = 42;\n'.repeat(100));
    const a = gzipStable(input);
    assert.deepEqual(a, gzipStable(input));
    assert.equal(a.readUInt32LE(4), 0, 'mtime');
    assert.equal(a[9], 3, 'OS');
    assert.deepEqual(gunzipSync(a), input);
  });

  it('splits into the fewest parts of at most the given size, in order', () => {
    const bytes = Buffer.from(Array.from({ length: 10 }, (_, i) => i));
    const parts = splitEvenly(bytes, 4);
    assert.deepEqual(parts.map((p) => p.length), [4, 4, 2]);
    assert.deepEqual(Buffer.concat(parts), bytes);
    assert.deepEqual(splitEvenly(bytes, 10).map((p) => p.length), [10]);
  });
});

describe('drift: what dist/ ships is a fresh bundle of src/', () => {
  it("the default chart's code ConfigMaps hold exactly the agent and the sidecar bundled from src/ now", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-fresh-bundle-'));
    try {
      // Both bundled fresh from src/, the way `npm run build` bundles them into build/bundles.
      const freshExporter = fs.readFileSync(await bundleExporter({ outfile: path.join(dir, 'heapwatch-exporter.js') }));
      const freshAgent = fs.readFileSync(await bundleAgent({ outfile: path.join(dir, 'heapwatch-agent.js') }));
      const manifests = defaultManifests();
      // The ConfigMaps the pod mounts, found as the kubelet finds them: by the Deployment's volumes.
      const volumes: Manifest[] = find(manifests, 'Deployment', 'sample-app').spec.template.spec.volumes;
      const agentMap = find(manifests, 'ConfigMap', volumes.find((v) => v.name === 'heapwatch-agent-code')!.configMap.name);
      assert.ok(Buffer.from(agentMap.data[AGENT_FILE], 'utf8').equals(freshAgent), 'the agent ConfigMap differs from src/: run `npm run build`');
      const sources: Manifest[] = volumes.find((v) => v.name === 'heapwatch-exporter-code')!.projected.sources;
      assert.ok(sources.length > 0);
      const gz = Buffer.concat(sources.map((src, i) => Buffer.from(find(manifests, 'ConfigMap', src.configMap.name).binaryData[exporterPartKey(i)], 'base64')));
      assert.ok(gunzipSync(gz).equals(freshExporter), 'the sidecar ConfigMaps differ from a fresh bundle of src/: run `npm run build`');
      assert.ok(gz.equals(gzipStable(freshExporter)), 'and they are its stable gzip');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
