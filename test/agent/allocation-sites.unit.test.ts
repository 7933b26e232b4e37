/**
 * Naming allocation sites from a sampling heap profile (pure): the deepest frame in the app's
 * own code, file:line relative to the working directory, bounded labels, the top sites with
 * their shares.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALLOCATION_SITES } from '../../src/contract';
import { CallFrame, ProfileNode, siteFrame, siteLocation, topSites } from '../../src/agent/allocation-sites';

const frame = (functionName: string, url: string, lineNumber = 0): CallFrame => ({ functionName, url, lineNumber });
const n = (callFrame: CallFrame, selfSize: number, ...children: ProfileNode[]): ProfileNode => ({ callFrame, selfSize, children });
const ROOT = frame('(root)', '');

describe('allocation sites', () => {
  it('names a site after the deepest frame in user code, not a Node internal or a dependency', () => {
    const handler = frame('handle', '/app/src/server.js', 9);
    const append = frame('append', 'file:///app/src/ledger.js', 41);
    const dep = frame('encode', '/app/node_modules/lib/index.js', 3);
    const internal = frame('alloc', 'node:buffer', 100);
    assert.equal(siteFrame([ROOT, handler, append, dep, internal]), append);
    assert.equal(siteFrame([ROOT, dep, internal]), dep, 'all in dependencies: the deepest dependency frame');
    assert.equal(siteFrame([ROOT, internal]), internal, 'nothing better: the leaf');
  });

  it('gives file:line (1-based) relative to the working directory, and bounds it keeping the end', () => {
    assert.equal(siteLocation(frame('append', 'file:///app/src/ledger.js', 41), '/app'), 'src/ledger.js:42');
    assert.equal(siteLocation(frame('x', '/elsewhere/a.js', 0), '/app'), '/elsewhere/a.js:1');
    assert.equal(siteLocation(frame('x', '', 0), '/app'), '(native)');
    const long = siteLocation(frame('x', `/app/${'d/'.repeat(100)}file.js`, 6), '/app');
    assert.equal(long.length, ALLOCATION_SITES.labelMaxChars);
    assert.ok(long.endsWith('/file.js:7') && long.startsWith('…'), long);
  });

  it('adds up live bytes per site, largest first, at most the limit, with shares of the sampled total', () => {
    const handler = frame('handle', '/app/server.js', 0);
    const leaves = Array.from({ length: 8 }, (_, i) => frame(i === 0 ? '' : `f${i}`, `/app/f${i}.js`, i));
    const head = n(ROOT, 0,
      n(handler, 100,
        n(leaves[0], 600, n(frame('push', 'node:internal/streams', 1), 300)),
        ...leaves.slice(1).map((f, i) => n(f, 10 + i))));
    const { sites, sampledBytes } = topSites({ head, samples: [] }, '/app');
    const total = 100 + 600 + 300 + [...Array(7).keys()].reduce((a, i) => a + 10 + i, 0);
    assert.equal(sampledBytes, total);
    assert.equal(sites.length, ALLOCATION_SITES.max);
    assert.deepEqual(sites[0], { function: '(anonymous)', location: 'f0.js:1', bytes: 900, share: Math.round((900 / total) * 10000) / 10000 });
    assert.deepEqual(sites[1].function, 'handle');
    assert.deepEqual(sites.slice(2).map((s) => s.function), ['f7', 'f6', 'f5']);
    const name = 'x'.repeat(500);
    const [bounded] = topSites({ head: n(ROOT, 0, n(frame(name, '/app/a.js'), 5)), samples: [] }, '/app').sites;
    assert.equal(bounded.function.length, ALLOCATION_SITES.labelMaxChars);
    assert.equal(bounded.share, 1);
    assert.deepEqual(topSites({ head: n(ROOT, 0), samples: [] }, '/app'), { sites: [], sampledBytes: 0 });
  });
});
