import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createDefaultApp } from '../../charts/default-app';
import { ConfigError } from '../../src/config';
import { scanManifestText } from '../support/secret-scan';

describe('synth', () => {
  it('writes nothing when the config is invalid, and reports every problem', () => {
    const outdir = join(mkdtempSync(join(tmpdir(), 'heapwatch-bad-')), 'dist');
    assert.throws(() => createDefaultApp({ heap: { highRatio: 2 }, app: { image: 'x:latest' } }, { outdir }).synth(), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems.length, 2);
      return true;
    });
    assert.ok(!existsSync(outdir), 'no output directory was created');
  });

  it('runs the real cdk8s CLI with no network at all (inside an empty network namespace)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'heapwatch-offline-'));
    const cli = join('node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
    // `unshare -n` gives the process a network namespace with nothing in it, not even loopback.
    const r = spawnSync('unshare', ['-n', process.execPath, cli, 'synth', '--output', outdir], {
      encoding: 'utf8',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      timeout: 60_000,
    });
    if (r.error) throw new Error(`unshare is needed for this test (util-linux, run as root): ${r.error.message}`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.deepEqual(readdirSync(outdir).sort(), ['heapwatch.k8s.yaml', 'sample-app.k8s.yaml']);
    assert.match(readFileSync(join(outdir, 'heapwatch.k8s.yaml'), 'utf8'), /kind: StatefulSet/);
    // What the CLI wrote, the same files `npm run synth` writes to dist/, holds no secret.
    for (const f of readdirSync(outdir)) assert.deepEqual(scanManifestText(f, readFileSync(join(outdir, f), 'utf8')), [], f);
  });
});
