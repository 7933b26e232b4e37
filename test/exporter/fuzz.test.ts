/**
 * A seeded fuzz of bad requests against the bundled sidecar: random methods, traversal
 * names on the snapshot and the profile routes, huge headers, wrong tokens, garbage bodies, non-HTTP bytes. The process must refuse
 * them all (no 2xx on the admin API, no 5xx other than "no agent"), and keep serving.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { METRICS } from '../../src/contract';
import { makeSharedDir, metricsText, request, RunningExporter, startExporter, TEST_TOKEN, value } from '../support/exporter-harness';

/** mulberry32: a small seeded PRNG, so a failure can be replayed with the printed seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'MKCOL', 'SEARCH'];
const NAMES = ['..', '../..', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%2F..%2Ftoken', '..\\..\\token', '%00', 'a%00b.heapsnapshot', '%zz', '%',
  'x'.repeat(5000), '.heapsnapshot', '....heapsnapshot', '.heapprofile', '..%2F..%2Fprofiles%2Fx.heapprofile', 'heap-1.heapprofile/..', 'con.heapsnapshot', '~root', '%c0%ae%c0%ae%2f', 'heap-1.heapsnapshot/..', '*', '?'];
const TOKENS = ['', 'Bearer', 'Bearer ', `Bearer ${TEST_TOKEN.slice(0, -1)}`, `bearer ${TEST_TOKEN}`, `Bearer ${TEST_TOKEN} x`, `Token ${TEST_TOKEN}`, 'Bearer \u00e9t\u00e9', `Bearer ${'A'.repeat(5000)}`];

describe('exporter fuzz', () => {
  const shared = makeSharedDir();
  let exporter: RunningExporter;
  const seed = Number(process.env.HEAPWATCH_FUZZ_SEED ?? Date.now() % 1e9);

  before(async () => {
    exporter = await startExporter({ HEAPWATCH_DIR: shared.dir, HEAPWATCH_TOKEN_FILE: shared.tokenFile, HEAPWATCH_CHECK_INTERVAL_SECONDS: '1' });
  });
  after(async () => {
    await exporter?.stop();
    fs.rmSync(shared.root, { recursive: true, force: true });
  });

  it(`survives 300 bad requests (seed ${seed}) and still serves /metrics and /healthz`, async () => {
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    const statuses = new Map<number, number>();
    let sent = 0;
    for (let i = 0; i < 300; i++) {
      const kind = Math.floor(rnd() * 5);
      if (kind === 4) {
        // Raw bytes: not HTTP, or HTTP with a broken request line or header.
        const junk = pick([
          Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 4000) }, () => Math.floor(rnd() * 256))),
          Buffer.from(`G\u0000T / HTTP/1.1\r\n\r\n`),
          Buffer.from(`GET /metrics HTTP/1.1\r\nHost: x\r\nX: ${'y'.repeat(70000)}\r\n\r\n`),
          Buffer.from(`POST /admin/heap-snapshots HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n`),
          Buffer.from(`POST /admin/heap-snapshots HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`),
          Buffer.from(`${pick(['FOO', 'G E T', 'DELETE\u0001'])} /admin/heap-snapshots HTTP/1.1\r\n\r\n`),
        ]);
        await rawExchange(exporter.port, junk);
        sent++;
        continue;
      }
      const method = pick(METHODS);
      const name = pick(NAMES);
      const base = pick(['/admin/heap-snapshots', '/admin/heap-profiles']);
      const path = kind === 0 ? `${base}/${name}` : kind === 1 ? `${base}/${name}/${pick(NAMES)}` : kind === 2 ? base : `/${name}`;
      const headers: Record<string, string> = {};
      const token = pick(TOKENS);
      if (token !== '') headers.authorization = token;
      if (rnd() < 0.2) headers['x-huge'] = 'h'.repeat(20000 + Math.floor(rnd() * 20000));
      const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(Array.from({ length: Math.floor(rnd() * 50000) }, () => Math.floor(rnd() * 256)));
      if (body) headers['content-type'] = pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']);
      const r = await request(exporter.port, method, path, headers, body).catch((e: Error) => ({ status: -1, text: e.message }));
      sent++;
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (path.startsWith('/admin')) {
        assert.ok(r.status === -1 || (r.status >= 400 && r.status < 500), `${method} ${path.slice(0, 80)} with ${token.slice(0, 30)} -> ${r.status} (seed ${seed})`);
      } else {
        assert.ok(r.status === -1 || r.status < 500, `${method} ${path.slice(0, 80)} -> ${r.status} (seed ${seed})`);
      }
    }
    assert.ok(sent >= 200);
    assert.ok((statuses.get(401) ?? 0) > 0, `some 401s: ${JSON.stringify([...statuses])}`);
    assert.equal(exporter.proc.exitCode, null, 'still running');
    assert.equal((await request(exporter.port, 'GET', '/healthz')).status, 200);
    const text = await metricsText(exporter.port);
    assert.equal(value(text, METRICS.agentUp), 0);
    assert.equal(value(text, METRICS.snapshots, '{outcome="written"}'), 0);
    assert.equal(value(text, METRICS.heapProfiles, '{outcome="written"}'), 0);
    assert.ok(!exporter.lines.join('\n').includes(TEST_TOKEN), 'no token in the log');
  });
});

/** Writes bytes on a fresh TCP connection and waits for the server to answer or close. */
function rawExchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host: '127.0.0.1', port });
    let got = '';
    s.setTimeout(3000, () => s.destroy());
    s.on('data', (d) => {
      got += d.toString('latin1');
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
    s.write(bytes, () => s.end());
  });
}
