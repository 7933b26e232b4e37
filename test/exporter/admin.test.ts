/**
 * The admin API for heap snapshots and allocation profiles: every refusal code, listing and
 * download, path traversal, the cap on kept files, the audit log. Snapshot replies the real agent cannot produce on
 * demand (a failure, no headroom, a slow one) come from the scripted STAND-IN agent.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { METRICS, PROFILE_SUBDIR, SNAPSHOT_SUBDIR } from '../../src/contract';
import {
  auth, makeSharedDir, metricsText, request, Running, RunningExporter, startExporter, startScriptedAgent, TEST_TOKEN, value, waitFor,
} from '../support/exporter-harness';

const BASE = '/admin/heap-snapshots';

async function agentUp(e: RunningExporter): Promise<void> {
  await waitFor(async () => value(await metricsText(e.port), METRICS.agentUp) === 1 || undefined, 10_000, 'heapwatch_agent_up 1');
}

function startFor(shared: ReturnType<typeof makeSharedDir>, env: Record<string, string> = {}): Promise<RunningExporter> {
  return startExporter({
    HEAPWATCH_DIR: shared.dir,
    HEAPWATCH_TOKEN_FILE: shared.tokenFile,
    HEAPWATCH_CHECK_INTERVAL_SECONDS: '1',
    HEAPWATCH_SNAPSHOT_COOLDOWN_SECONDS: '0',
    HEAPWATCH_SNAPSHOT_MAX_KEPT: '2',
    ...env,
  });
}

describe('admin API', () => {
  const shared = makeSharedDir();
  const running: Running[] = [];
  let exporter: RunningExporter;
  let agent: Running | undefined;

  const swapAgent = async (script: Record<string, unknown>) => {
    if (agent) {
      await agent.stop();
      // Wait for the sidecar to notice, so agentUp() below sees the new agent, not the old one.
      await waitFor(async () => value(await metricsText(exporter.port), METRICS.agentUp) === 0 || undefined, 10_000, 'agent down');
    }
    agent = await startScriptedAgent({ dir: shared.dir, intervalMs: 200, ...script });
    running.push(agent);
    await agentUp(exporter);
  };

  after(async () => {
    for (const r of running) await r.stop();
    fs.rmSync(shared.root, { recursive: true, force: true });
  });

  it('answers 503 without an agent', async () => {
    exporter = await startFor(shared);
    running.push(exporter);
    const r = await request(exporter.port, 'POST', BASE, auth());
    assert.equal(r.status, 503);
    assert.match(r.text, /agent is not connected/);
  });

  it('answers 401 without the token, with a wrong one, or another scheme, on every route', async () => {
    const attempts: [string, string, Record<string, string>][] = [
      ['POST', BASE, {}],
      ['POST', BASE, auth('wrong-token')],
      ['POST', BASE, auth(`${TEST_TOKEN}x`)],
      ['POST', BASE, { authorization: `Basic ${Buffer.from(`admin:${TEST_TOKEN}`).toString('base64')}` }],
      ['POST', BASE, { authorization: `Bearer  ${TEST_TOKEN}` }],
      ['GET', BASE, {}],
      ['GET', `${BASE}/heap-1.heapsnapshot`, auth('nope')],
    ];
    for (const [method, p, headers] of attempts) {
      const r = await request(exporter.port, method, p, headers);
      assert.equal(r.status, 401, `${method} ${p} ${JSON.stringify(headers)}`);
      assert.match(String(r.headers['www-authenticate']), /^Bearer/);
    }
  });

  it('re-reads the token file when the Secret changes', async () => {
    await swapAgent({ snapshot: 'write' });
    fs.writeFileSync(shared.tokenFile, 'rotated-test-token\n');
    assert.equal((await request(exporter.port, 'GET', BASE, auth())).status, 401, 'the old token no longer works');
    assert.equal((await request(exporter.port, 'GET', BASE, auth('rotated-test-token'))).status, 200);
    fs.writeFileSync(shared.tokenFile, `${TEST_TOKEN}\n`);
    assert.equal((await request(exporter.port, 'GET', BASE, auth())).status, 200);
  });

  it('answers 409 while a snapshot runs', async () => {
    await swapAgent({ snapshot: 'write', snapshotDelayMs: 1000 });
    const first = request(exporter.port, 'POST', BASE, auth());
    await waitFor(() => (agent!.lines.some((l) => l.startsWith('snapshot-request ')) ? true : undefined), 10_000, 'the first request to reach the agent');
    const second = await request(exporter.port, 'POST', BASE, auth());
    assert.equal(second.status, 409, second.text);
    assert.equal((await first).status, 201);
  });

  it('answers 503 when the agent reports no headroom, 500 when the snapshot fails', async () => {
    await swapAgent({ snapshot: 'no-headroom' });
    const refused = await request(exporter.port, 'POST', BASE, auth());
    assert.equal(refused.status, 503);
    assert.match(refused.text, /no-headroom/);
    // The agent's estimated need and headroom reach the caller, in words and in bytes.
    const body = JSON.parse(refused.text);
    assert.match(body.error, /needed, headroom 104857600 B \(100\.0 MiB\)/);
    assert.equal(body.neededBytes, 300 * 2 ** 20);
    assert.equal(body.headroomBytes, 100 * 2 ** 20);
    await swapAgent({ snapshot: 'fail' });
    const failed = await request(exporter.port, 'POST', BASE, auth());
    assert.equal(failed.status, 500);
    const text = await metricsText(exporter.port);
    assert.equal(value(text, METRICS.snapshots, '{outcome="failed"}'), 1);
    assert.equal(value(text, METRICS.snapshots, '{outcome="written"}'), 1);
    assert.ok(value(text, METRICS.snapshots, '{outcome="refused"}')! >= 3, 'no agent, busy, no headroom');
  });

  it('answers 503 when the agent goes away while writing, and counts it as failed', async () => {
    await swapAgent({ snapshot: 'silent' });
    const pending = request(exporter.port, 'POST', BASE, auth());
    await waitFor(() => (agent!.lines.some((l) => l.startsWith('snapshot-request ')) ? true : undefined), 10_000, 'the request to reach the agent');
    await agent!.stop();
    const r = await pending;
    assert.equal(r.status, 503);
    assert.match(r.text, /agent disconnected/);
    assert.equal(value(await metricsText(exporter.port), METRICS.snapshots, '{outcome="failed"}'), 2);
    agent = undefined;
  });

  it('keeps at most HEAPWATCH_SNAPSHOT_MAX_KEPT files, the pre-restart snapshot included, oldest first', async () => {
    await swapAgent({ snapshot: 'write' });
    const dir = path.join(shared.dir, SNAPSHOT_SUBDIR);
    for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
    const pre = 'heap-2026-01-01T00-00-00-000Z-7-prerestart.heapsnapshot';
    fs.writeFileSync(path.join(dir, pre), '{}');
    fs.utimesSync(path.join(dir, pre), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const first = JSON.parse((await request(exporter.port, 'POST', BASE, auth())).text) as { name: string };
    let list = JSON.parse((await request(exporter.port, 'GET', BASE, auth())).text) as { snapshots: { name: string }[] };
    assert.deepEqual(list.snapshots.map((s) => s.name), [first.name, pre], 'newest first; the pre-restart one is kept while under the cap');
    const second = JSON.parse((await request(exporter.port, 'POST', BASE, auth())).text) as { name: string };
    list = JSON.parse((await request(exporter.port, 'GET', BASE, auth())).text) as { snapshots: { name: string }[] };
    assert.deepEqual(list.snapshots.map((s) => s.name).sort(), [first.name, second.name].sort());
    assert.ok(!fs.existsSync(path.join(dir, pre)), 'the oldest (pre-restart) file was deleted');
  });

  it('streams a snapshot, 404 when absent, 400 for bad names, and never leaves the folder', async () => {
    const list = JSON.parse((await request(exporter.port, 'GET', BASE, auth())).text) as { snapshots: { name: string; bytes: number }[] };
    const one = list.snapshots[0];
    const dl = await request(exporter.port, 'GET', `${BASE}/${one.name}`, auth());
    assert.equal(dl.status, 200);
    assert.equal(dl.body.length, one.bytes);
    assert.equal(dl.headers['content-type'], 'application/octet-stream');
    assert.equal(dl.text, fs.readFileSync(path.join(shared.dir, SNAPSHOT_SUBDIR, one.name), 'utf8'));

    assert.equal((await request(exporter.port, 'GET', `${BASE}/heap-absent.heapsnapshot`, auth())).status, 404);

    // A symlink planted in the folder is neither listed nor followed.
    fs.writeFileSync(path.join(shared.root, 'outside.heapsnapshot'), 'outside the volume');
    fs.symlinkSync(path.join(shared.root, 'outside.heapsnapshot'), path.join(shared.dir, SNAPSHOT_SUBDIR, 'planted.heapsnapshot'));
    assert.equal((await request(exporter.port, 'GET', `${BASE}/planted.heapsnapshot`, auth())).status, 404);

    const badNames = ['..', '.hidden.heapsnapshot', 'notes.txt', 'a..b.heapsnapshot', '-x.heapsnapshot', `${'a'.repeat(300)}.heapsnapshot`,
      encodeURIComponent('../../etc/passwd'), encodeURIComponent('../token'), '..%2F..%2Fshared%2Fexporter-state.json', '%2e%2e', 'a%00.heapsnapshot',
      encodeURIComponent('sub/x.heapsnapshot'), encodeURIComponent('x.heapsnapshot\n')];
    for (const name of badNames) {
      const r = await request(exporter.port, 'GET', `${BASE}/${name}`, auth());
      assert.equal(r.status, 400, `${name} -> ${r.status}`);
      assert.match(r.text, /invalid snapshot name/);
    }
    for (const raw of [`${BASE}/../../token`, `${BASE}/../../../etc/passwd`, `${BASE}/x/../../token`, '/admin/heap-snapshots/%2e%2e/%2e%2e/token']) {
      const r = await request(exporter.port, 'GET', raw, auth());
      assert.ok([400, 404].includes(r.status), `${raw} -> ${r.status}`);
      assert.ok(!r.text.includes(TEST_TOKEN) && !r.text.includes('outside the volume'), `${raw} leaked a file`);
    }
  });

  it('writes one audit line per admin request, never the token, not even one pasted into the URL', async () => {
    // Probes with their own paths, so lines from earlier tests cannot be mistaken for them.
    await request(exporter.port, 'GET', `${BASE}/probe-a.heapsnapshot`, auth());
    await request(exporter.port, 'GET', `${BASE}/probe-b.heapsnapshot`, auth('definitely-wrong'));
    await request(exporter.port, 'GET', `${BASE}/probe-c.heapsnapshot?token=${TEST_TOKEN}`, auth());
    const probes = () => exporter.audit().filter((l) => String(l.path).includes('/probe-'));
    await waitFor(() => (probes().length >= 3 ? true : undefined), 5000, 'three audit lines');
    await request(exporter.port, 'GET', '/metrics'); // not an admin request: no audit line
    const lines = probes();
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.map((l) => [l.method, l.path, l.status, l.outcome]), [
      ['GET', `${BASE}/probe-a.heapsnapshot`, 404, 'not-found'],
      ['GET', `${BASE}/probe-b.heapsnapshot`, 401, 'unauthorized'],
      ['GET', `${BASE}/probe-c.heapsnapshot`, 404, 'not-found'],
    ]);
    assert.ok(lines.every((l) => typeof l.ts === 'string' && typeof l.durationMs === 'number' && typeof l.remote === 'string'));
    const all = exporter.lines.join('\n');
    assert.ok(!all.includes(TEST_TOKEN) && !all.includes('rotated-test-token') && !all.includes('definitely-wrong'), 'no token in the log');
  });
});

describe('admin API cooldown and volume room', () => {
  const shared = makeSharedDir();
  const running: Running[] = [];
  let small: Running;
  after(async () => {
    for (const r of running) await r.stop();
    fs.rmSync(shared.root, { recursive: true, force: true });
  });

  it('answers 429 inside the cooldown, with Retry-After; a refusal by the agent starts no cooldown', async () => {
    const e = await startFor(shared, { HEAPWATCH_SNAPSHOT_COOLDOWN_SECONDS: '3600' });
    running.push(e);
    const refusing = await startScriptedAgent({ dir: shared.dir, heapUsed: 1000, snapshot: 'no-headroom' });
    await agentUp(e);
    assert.equal((await request(e.port, 'POST', BASE, auth())).status, 503);
    await refusing.stop();
    small = await startScriptedAgent({ dir: shared.dir, heapUsed: 1000, pid: 5000 });
    running.push(small);
    // Its new pid shows up as a restart: proof the sidecar reads the new agent, not the old socket.
    await waitFor(async () => {
      const t = await metricsText(e.port);
      return value(t, METRICS.agentUp) === 1 && value(t, METRICS.appRestarts, '{reason="other"}') === 1 ? true : undefined;
    }, 10_000, 'the second scripted agent');
    assert.equal((await request(e.port, 'POST', BASE, auth())).status, 201);
    const r = await request(e.port, 'POST', BASE, auth());
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers['retry-after']) > 3500);
    await e.stop();
  });

  it('answers 503 when the shared volume lacks room for this heap', async () => {
    const e = await startFor(shared, { HEAPWATCH_SNAPSHOT_VOLUME_LIMIT_BYTES: String(10 * 2 ** 20) });
    running.push(e);
    await agentUp(e); // the scripted agent above reports 1000 bytes of heap: room enough
    await small.stop();
    running.push(await startScriptedAgent({ dir: shared.dir, heapUsed: 50 * 2 ** 20, pid: 4243 }));
    await waitFor(async () => value(await metricsText(e.port), METRICS.heapUsed) === 50 * 2 ** 20 || undefined, 10_000, 'the big heap reading');
    const r = await request(e.port, 'POST', BASE, auth());
    assert.equal(r.status, 503);
    assert.match(r.text, /shared volume has \d+ bytes free/);
  });
});

describe('admin API: allocation profiles', () => {
  const PROFILES = '/admin/heap-profiles';
  const shared = makeSharedDir();
  const running: Running[] = [];
  let exporter: RunningExporter;
  after(async () => {
    for (const r of running) await r.stop();
    fs.rmSync(shared.root, { recursive: true, force: true });
  });

  it('needs the token on every profile route, and answers 503 without an agent', async () => {
    // A snapshot cooldown must not pace profiles: they block the app for milliseconds.
    exporter = await startFor(shared, { HEAPWATCH_SNAPSHOT_COOLDOWN_SECONDS: '3600' });
    running.push(exporter);
    for (const [method, p, headers] of [['POST', PROFILES, {}], ['GET', PROFILES, auth('wrong-token')], ['GET', `${PROFILES}/heap-1.heapprofile`, {}]] as const) {
      const r = await request(exporter.port, method, p, headers);
      assert.equal(r.status, 401, `${method} ${p}`);
      assert.match(String(r.headers['www-authenticate']), /^Bearer/);
    }
    const r = await request(exporter.port, 'POST', PROFILES, auth());
    assert.equal(r.status, 503);
    assert.match(r.text, /no allocation profile: the agent is not connected/);
  });

  it('takes, lists, prunes and streams profiles, in their own folder, the pre-restart one counted', async () => {
    running.push(await startScriptedAgent({ dir: shared.dir, intervalMs: 200, snapshot: 'write' }));
    await agentUp(exporter);
    const dir = path.join(shared.dir, PROFILE_SUBDIR);
    fs.mkdirSync(dir, { recursive: true });
    const pre = 'heap-2026-01-01T00-00-00-000Z-7-prerestart.heapprofile';
    fs.writeFileSync(path.join(dir, pre), '{"head":{}}');
    fs.utimesSync(path.join(dir, pre), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const names: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await request(exporter.port, 'POST', PROFILES, auth());
      assert.equal(r.status, 201, r.text);
      const name = (JSON.parse(r.text) as { name: string }).name;
      assert.match(name, /^heap-[0-9T-]+Z-[0-9a-f]{6}\.heapprofile$/);
      names.push(name);
    }
    const list = JSON.parse((await request(exporter.port, 'GET', PROFILES, auth())).text) as { profiles: { name: string; bytes: number; createdAt: string }[]; maxKept: number };
    assert.equal(list.maxKept, 2);
    assert.deepEqual(list.profiles.map((p) => p.name).sort(), [...names].sort(), 'HEAPWATCH_SNAPSHOT_MAX_KEPT: the oldest (pre-restart) profile went first');
    assert.ok(!fs.existsSync(path.join(dir, pre)));
    assert.ok(list.profiles.every((p) => p.bytes > 0 && !Number.isNaN(Date.parse(p.createdAt))));
    assert.ok(!fs.existsSync(path.join(shared.dir, SNAPSHOT_SUBDIR)) || fs.readdirSync(path.join(shared.dir, SNAPSHOT_SUBDIR)).length === 0, 'no snapshot written');
    const dl = await request(exporter.port, 'GET', `${PROFILES}/${names[1]}`, auth());
    assert.equal(dl.status, 200);
    assert.equal(dl.text, fs.readFileSync(path.join(dir, names[1]), 'utf8'));
    assert.equal(dl.headers['content-disposition'], `attachment; filename="${names[1]}"`);
    const text = await metricsText(exporter.port);
    assert.equal(value(text, METRICS.heapProfiles, '{outcome="written"}'), 2);
    assert.equal(value(text, METRICS.snapshots, '{outcome="written"}'), 0);
  });

  it('refuses bad names and path tricks the same way as snapshots, and a snapshot name on the profile route', async () => {
    fs.writeFileSync(path.join(shared.root, 'outside.heapprofile'), 'outside the volume');
    fs.symlinkSync(path.join(shared.root, 'outside.heapprofile'), path.join(shared.dir, PROFILE_SUBDIR, 'planted.heapprofile'));
    assert.equal((await request(exporter.port, 'GET', `${PROFILES}/planted.heapprofile`, auth())).status, 404);
    assert.equal((await request(exporter.port, 'GET', `${PROFILES}/heap-absent.heapprofile`, auth())).status, 404);
    const badNames = ['..', '.hidden.heapprofile', 'x.heapsnapshot', 'a..b.heapprofile', '-x.heapprofile', `${'a'.repeat(300)}.heapprofile`,
      encodeURIComponent('../../etc/passwd'), encodeURIComponent('../token'), '%2e%2e', 'a%00.heapprofile', encodeURIComponent('sub/x.heapprofile')];
    for (const name of badNames) {
      const r = await request(exporter.port, 'GET', `${PROFILES}/${name}`, auth());
      assert.equal(r.status, 400, `${name} -> ${r.status}`);
      assert.match(r.text, /invalid allocation profile name: .*ending in \\".heapprofile\\"/);
    }
    for (const raw of [`${PROFILES}/../../token`, `${PROFILES}/x/../../token`, '/admin/heap-profiles/%2e%2e/%2e%2e/token']) {
      const r = await request(exporter.port, 'GET', raw, auth());
      assert.ok([400, 404].includes(r.status), `${raw} -> ${r.status}`);
      assert.ok(!r.text.includes(TEST_TOKEN) && !r.text.includes('outside the volume'), `${raw} leaked a file`);
    }
    const del = await request(exporter.port, 'DELETE', PROFILES, auth());
    assert.equal(del.status, 405);
    assert.equal(del.headers.allow, 'GET, POST');
  });

  it('answers 503 when the agent runs no profiler, and audits profile requests by name', async () => {
    await running.pop()!.stop();
    await waitFor(async () => value(await metricsText(exporter.port), METRICS.agentUp) === 0 || undefined, 10_000, 'agent down');
    running.push(await startScriptedAgent({ dir: shared.dir, intervalMs: 200, snapshot: 'disabled', pid: 4300 }));
    await agentUp(exporter);
    const r = await request(exporter.port, 'POST', PROFILES, auth());
    assert.equal(r.status, 503);
    assert.match(r.text, /the agent refused the allocation profile: disabled/);
    await waitFor(() => (exporter.audit().some((l) => l.outcome === 'agent-disabled') ? true : undefined), 5000, 'the audit line');
    const line = exporter.audit().find((l) => l.outcome === 'agent-disabled')!;
    assert.equal(line.path, PROFILES);
    assert.match(String(line.profile), /\.heapprofile$/);
    assert.equal(line.snapshot, undefined);
    assert.equal(value(await metricsText(exporter.port), METRICS.heapProfiles, '{outcome="refused"}'), 2, 'no agent, disabled');
  });
});
