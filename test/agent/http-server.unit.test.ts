/**
 * The agent's small HTTP servers (src/agent/http-server.ts), in this process on loopback: one
 * path, GET and HEAD, the answer's status and type, 404 for the rest, and a failing answer that
 * closes its connection and is logged once instead of reaching the app.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { AgentAnswer, startAgentServer } from '../../src/agent/http-server';

function request(port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; type?: string; connection?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startAgentServer', async () => {
  let next: () => AgentAnswer = () => ({ status: 200, contentType: 'application/json', body: '{"status":"ok"}\n' });
  const server = startAgentServer({ port: 0, path: '/livez', answer: () => next(), listenError: { key: 'test-http', msg: 'test port taken' } });
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  after(() => server.close());

  it('answers GET on its path, with or without a query string, and HEAD without the body', async () => {
    assert.deepEqual(await request(port, '/livez'), { status: 200, type: 'application/json', connection: 'close', body: '{"status":"ok"}\n' });
    assert.equal((await request(port, '/livez?verbose=1')).status, 200);
    assert.deepEqual(await request(port, '/livez', 'HEAD'), { status: 200, type: 'application/json', connection: 'close', body: '' });
  });

  it("carries the answer's status", async () => {
    next = () => ({ status: 503, contentType: 'application/json', body: '{"status":"failing"}\n' });
    assert.deepEqual(await request(port, '/livez'), { status: 503, type: 'application/json', connection: 'close', body: '{"status":"failing"}\n' });
  });

  it('keeps a keep-alive connection open, and closes one whose request says Connection: close', async () => {
    assert.equal((await request(port, '/livez', 'GET', { connection: 'keep-alive' })).connection, 'keep-alive');
    assert.equal((await request(port, '/livez', 'GET', { connection: 'close' })).connection, 'close');
  });

  it('answers 404 to other paths and methods, without asking for the answer', async () => {
    let asked = 0;
    next = () => (asked++, { status: 200, contentType: 'text/plain', body: 'x' });
    for (const [path, method] of [['/metrics', 'GET'], ['/livez/x', 'GET'], ['/livez', 'POST'], ['/livez', 'DELETE']]) {
      const a = await request(port, path, method);
      assert.deepEqual([a.status, a.body], [404, 'not found\n'], `${method} ${path}`);
    }
    assert.equal(asked, 0);
  });

  it('closes the connection when the answer throws, logging it once, and keeps serving', async () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stderr.write;
    try {
      next = () => {
        throw new Error('broken reading');
      };
      for (let i = 0; i < 2; i++) await assert.rejects(request(port, '/livez'), /socket hang up|ECONNRESET/);
    } finally {
      process.stderr.write = write;
    }
    const logged = lines.map((l) => JSON.parse(l));
    assert.deepEqual(logged.map((l) => [l.msg, l.error]), [['A /livez request failed; the app is not affected', 'broken reading']]);
    next = () => ({ status: 200, contentType: 'text/plain', body: 'back\n' });
    assert.equal((await request(port, '/livez')).body, 'back\n');
  });
});
