/**
 * scripts/prune-build.ts (the second half of `npm run build`): a compiled file whose .ts source is
 * gone is removed, so `npm test` never runs a moved or deleted test from build/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pruneBuild } from '../../scripts/prune-build';
import { REPO_ROOT } from '../support/repo-root';

const work = mkdtempSync(join(tmpdir(), 'heapwatch-prune-'));
after(() => rmSync(work, { recursive: true, force: true }));

function write(rel: string, text = ''): void {
  mkdirSync(dirname(join(work, rel)), { recursive: true });
  writeFileSync(join(work, rel), text);
}

describe('pruneBuild', () => {
  it('removes the .js files whose .ts source is gone, and the folders that leaves empty; keeps the rest', () => {
    for (const source of ['src/a.ts', 'test/a/a.test.ts', 'test/fixtures/app.js']) write(source);
    // build/bundles holds the bundler's output, which has no .ts of its own.
    const kept = ['build/.tsbuildinfo', 'build/src/a.js', 'build/test/a/a.test.js', 'build/src/data.json', 'build/bundles/heapwatch-agent.js'];
    for (const file of kept) write(file, 'kept');
    write('build/test/a/moved.test.js');
    write('build/test/old/deleted.test.js');
    write('build/test/fixtures/app.js'); // a plain .js source is never compiled, so this copy is stale too

    const removed = pruneBuild(work);

    assert.deepEqual(removed.sort(), ['build/test/a/moved.test.js', 'build/test/fixtures/app.js', 'build/test/old/deleted.test.js']);
    for (const file of kept) assert.equal(readFileSync(join(work, file), 'utf8'), 'kept', file);
    assert.equal(existsSync(join(work, 'build/test/old')), false, 'the emptied folder is gone');
    assert.deepEqual(readdirSync(join(work, 'build/test')).sort(), ['a']);
    assert.deepEqual(pruneBuild(work), [], 'a second run finds nothing');
  });

  it('does nothing when there is no build/ yet', () => {
    assert.deepEqual(pruneBuild(join(work, 'no-such-project')), []);
  });

  it('runs as part of npm run build, right after tsc and before the bundler', () => {
    const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.match(scripts.build, /^tsc -p \. && node build\/scripts\/prune-build\.js && node build\/scripts\/bundle\.js$/);
  });
});
