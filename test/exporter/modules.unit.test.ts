/** In-process tests of the sidecar's small pieces: framing, message checks, merging, names, restarts, token. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ALLOCATION_SITES, RESTART_MARKER } from '../../src/contract';
import { parseAgentLine } from '../../src/exporter/agent-messages';
import { mergeExpositions, splitFamilies } from '../../src/exporter/exposition';
import { LineSplitter } from '../../src/exporter/line-splitter';
import { RestartTracker } from '../../src/exporter/restarts';
import { EXTENSIONS, isValidName, isValidSnapshotName } from '../../src/exporter/snapshot-store';
import { TokenFile } from '../../src/exporter/token';

const reading = (over: Record<string, unknown> = {}) => ({
  type: 'reading', pid: 1, startTime: 10, ts: 1, nodeVersion: 'v24', heapUsed: 5, heapTotal: 10, heapLimit: 100, external: 0,
  arrayBuffers: 0, rss: 50, spaces: { old_space: 5 }, ratio: 0.05, totalRatio: 0.5, streak: 0, liveAfterGc: null, gc: {},
  eventLoopLagP99: 0, forcedGc: { count: 0, lastReclaimedBytes: 0 }, livenessFailing: false, containerMemoryLimit: null, ...over,
});

const site = (over: Record<string, unknown> = {}) => ({ function: 'append', location: 'src/ledger.ts:42', bytes: 1000, share: 0.5, ...over });

describe('LineSplitter', () => {
  it('joins lines split across chunks and drops an oversize one whole', () => {
    const lines: string[] = [];
    let oversize = 0;
    const s = new LineSplitter((l) => lines.push(l), () => oversize++, { maxLineChars: 10 });
    s.push('ab');
    s.push('c\nde');
    s.push('f\n\n');
    s.push('0123456789ABC');
    s.push('DEF\nok\n');
    assert.deepEqual(lines, ['abc', 'def', 'ok']);
    assert.equal(oversize, 1);
  });
});

describe('parseAgentLine', () => {
  it('accepts a contract reading and a snapshot result', () => {
    assert.equal(parseAgentLine(JSON.stringify(reading())).kind, 'reading');
    assert.equal(parseAgentLine('{"type":"snapshot-result","id":"a","ok":true}').kind, 'snapshot-result');
    const sites = Array.from({ length: ALLOCATION_SITES.max }, (_, i) => site({ location: `src/a.ts:${i}` }));
    assert.equal(parseAgentLine(JSON.stringify(reading({ allocationSites: sites, allocationSampledBytes: 10000 }))).kind, 'reading');
  });
  for (const [what, line] of [
    ['a NaN-producing field', JSON.stringify(reading({ heapUsed: 'many' }))],
    ['a zero heap limit', JSON.stringify(reading({ heapLimit: 0 }))],
    ['an odd space name', JSON.stringify(reading({ spaces: { 'a"b': 1 } }))],
    ['short GC buckets', JSON.stringify(reading({ gc: { major: { buckets: [1], count: 1, sum: 1 } } }))],
    ['an unknown GC kind', JSON.stringify(reading({ gc: { huge: { buckets: [0, 0, 0, 0, 0, 0], count: 0, sum: 0 } } }))],
    ['more allocation sites than series allowed per pod', JSON.stringify(reading({ allocationSites: Array.from({ length: ALLOCATION_SITES.max + 1 }, () => site()) }))],
    ['an allocation site label over the bound', JSON.stringify(reading({ allocationSites: [site({ function: 'f'.repeat(ALLOCATION_SITES.labelMaxChars + 1) })] }))],
    ['an empty allocation site location', JSON.stringify(reading({ allocationSites: [site({ location: '' })] }))],
    ['allocation sites without the sampled total', JSON.stringify(reading({ allocationSites: [site()] }))],
    ['an allocation site without bytes', JSON.stringify(reading({ allocationSites: [site({ bytes: 'lots' })] }))],
    ['not JSON', '{'],
    ['an array', '[]'],
  ] as const) {
    it(`rejects ${what}`, () => assert.equal(parseAgentLine(line).kind, 'invalid'));
  }
});

describe('mergeExpositions', () => {
  it('keeps the first copy of a family and its histogram series together', () => {
    const a = '# HELP x_seconds h\n# TYPE x_seconds histogram\nx_seconds_bucket{le="+Inf"} 1\nx_seconds_sum 2\nx_seconds_count 1\n';
    const b = '# HELP x_seconds other\n# TYPE x_seconds gauge\nx_seconds 9\n# HELP y h\n# TYPE y gauge\ny 3\n';
    const merged = mergeExpositions([a, b]);
    assert.equal(merged, `${a}# HELP y h\n# TYPE y gauge\ny 3\n`);
    assert.deepEqual([...splitFamilies(merged).keys()], ['x_seconds', 'y']);
  });
});

describe('snapshot names', () => {
  it('allow only plain .heapsnapshot names', () => {
    for (const ok of ['heap-2026-11-26T18-30-00-123Z-1a2b3c.heapsnapshot', 'heap-1-42-prerestart.heapsnapshot']) assert.ok(isValidSnapshotName(ok), ok);
    for (const bad of ['../x.heapsnapshot', 'a/b.heapsnapshot', '.x.heapsnapshot', 'x.heapsnapshot.partial', 'x..heapsnapshot', 'x', '', 'é.heapsnapshot']) {
      assert.ok(!isValidSnapshotName(bad), bad);
    }
  });
  it('allow only plain .heapprofile names for profiles', () => {
    assert.ok(isValidName('heap-2026-11-26T18-30-00-123Z-1-prerestart.heapprofile', EXTENSIONS.profile));
    for (const bad of ['x.heapsnapshot', '../x.heapprofile', '.x.heapprofile', 'x..heapprofile', `${'a'.repeat(122)}.heapprofile`]) assert.ok(!isValidName(bad, EXTENSIONS.profile), bad);
  });
});

describe('RestartTracker', () => {
  it('counts pid/startTime changes, heap_streak once per marker, and persists', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-exporter-restarts-'));
    const t = new RestartTracker({ dir });
    t.observe(reading() as never);
    t.observe(reading() as never);
    assert.deepEqual(t.counts(), { heap_streak: 0, other: 0 });
    fs.writeFileSync(path.join(dir, RESTART_MARKER), '{}');
    t.observe(reading({ pid: 2 }) as never);
    t.observe(reading({ pid: 2, startTime: 20 }) as never);
    assert.deepEqual(t.counts(), { heap_streak: 1, other: 1 });
    assert.ok(!fs.existsSync(path.join(dir, RESTART_MARKER)));
    // The current process's own marker (its liveness is about to fail) stays until it is replaced.
    fs.writeFileSync(path.join(dir, RESTART_MARKER), JSON.stringify({ pid: 2, startTime: 20 }));
    t.observe(reading({ pid: 2, startTime: 20 }) as never);
    assert.ok(fs.existsSync(path.join(dir, RESTART_MARKER)));
    t.observe(reading({ pid: 3, startTime: 30 }) as never);
    assert.deepEqual(t.counts(), { heap_streak: 2, other: 1 });
    assert.ok(!fs.existsSync(path.join(dir, RESTART_MARKER)));
    const again = new RestartTracker({ dir });
    assert.deepEqual(again.counts(), { heap_streak: 2, other: 1 });
    again.observe(reading({ pid: 3, startTime: 30 }) as never);
    assert.deepEqual(again.counts(), { heap_streak: 2, other: 1 }, 'the same process after a sidecar restart is not a restart');
    fs.rmSync(dir, { recursive: true });
  });

  it('counts a marker left by another process even on the sidecar\'s first start in the pod', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-exporter-restarts-'));
    fs.writeFileSync(path.join(dir, RESTART_MARKER), JSON.stringify({ reason: 'heap_streak', pid: 7, startTime: 5 }));
    const t = new RestartTracker({ dir });
    t.observe(reading({ pid: 8, startTime: 50 }) as never);
    assert.deepEqual(t.counts(), { heap_streak: 1, other: 0 });
    assert.ok(!fs.existsSync(path.join(dir, RESTART_MARKER)));
    fs.rmSync(dir, { recursive: true });
  });
});

describe('TokenFile', () => {
  it('accepts only "Bearer <token>" with the file\'s token, and nothing without a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-exporter-token-'));
    const file = path.join(dir, 'token');
    const t = new TokenFile(file);
    assert.equal(t.check('Bearer '), false);
    assert.equal(t.check('Bearer x'), false, 'no file');
    fs.writeFileSync(file, 'unit-test-token\n');
    assert.equal(t.check('Bearer unit-test-token'), true);
    for (const bad of [undefined, '', 'Bearer unit-test-toke', 'bearer unit-test-token', 'Bearer unit-test-token ', 'Basic unit-test-token']) {
      assert.equal(t.check(bad), false, String(bad));
    }
    fs.writeFileSync(file, '  \n');
    assert.equal(t.check('Bearer '), false, 'an empty token file accepts nothing');
    fs.rmSync(dir, { recursive: true });
  });
});
