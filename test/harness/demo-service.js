'use strict';
/**
 * The demo's watched app: a tiny HTTP service with a leak you can switch on and off. It is
 * plain JavaScript run directly by node (like a user's service), loaded with the manifest's
 * NODE_OPTIONS so the heapwatch agent rides inside it.
 *
 *   GET  /               "ok" (the app keeps serving; the e2e test checks this)
 *   GET  /state          { pid, leaking, retainedMiB, heapUsed, heapLimit, ratio }
 *   POST /leak/start     retain 512 KiB strings at ?mibPerSecond=N (default 32) until the heap
 *                        used / limit ratio reaches ?untilRatio=R (default 0.93), then hold
 *   POST /leak/stop      stop growing, keep what is retained (a leak that stopped leaking)
 *   POST /free           drop everything retained
 *
 * The leak is made of large strings (each one object in V8's large-object space): a forced GC
 * cannot reclaim them, and a heap snapshot of them is small and quick, so the agent's
 * pre-restart snapshot fits in a small container.
 *
 * Environment: PORT (default 3000). It prints one JSON line { event: "listening", port } on stdout.
 */
const http = require('http');
const v8 = require('v8');

const CHUNK_BYTES = 512 * 1024;
const TICK_MS = 100;

const retained = [];
let leakTimer = null;
let chunkSeq = 0;

function heapRatio() {
  const s = v8.getHeapStatistics();
  return { heapUsed: s.used_heap_size, heapLimit: s.heap_size_limit, ratio: s.used_heap_size / s.heap_size_limit };
}

function startLeak(mibPerSecond, untilRatio) {
  stopLeak();
  let owed = 0;
  leakTimer = setInterval(() => {
    owed += (mibPerSecond * TICK_MS) / 1000;
    while (owed >= 1) {
      owed -= 1;
      if (heapRatio().ratio >= untilRatio) return;
      // A fresh one-byte string per chunk (never shared or interned), filled so it is not a cons string.
      retained.push(Buffer.alloc(CHUNK_BYTES, 97 + (chunkSeq++ % 26)).toString('latin1'));
    }
  }, TICK_MS);
}

function stopLeak() {
  if (leakTimer !== null) clearInterval(leakTimer);
  leakTimer = null;
}

function state() {
  return { pid: process.pid, leaking: leakTimer !== null, retainedMiB: retained.length * (CHUNK_BYTES / 1048576), ...heapRatio() };
}

function numberParam(url, name, def, min, max) {
  const raw = url.searchParams.get(name);
  if (raw === null) return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new RangeError(`'${name}' (${JSON.stringify(raw)}) must be a number from ${min} to ${max}`);
  return n;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const json = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body) + '\n');
  };
  try {
    if (req.method === 'GET' && url.pathname === '/') return void res.end('ok\n');
    if (req.method === 'GET' && url.pathname === '/state') return json(200, state());
    if (req.method === 'POST' && url.pathname === '/leak/start') {
      startLeak(numberParam(url, 'mibPerSecond', 32, 1, 1024), numberParam(url, 'untilRatio', 0.93, 0.01, 0.99));
      return json(200, state());
    }
    if (req.method === 'POST' && url.pathname === '/leak/stop') {
      stopLeak();
      return json(200, state());
    }
    if (req.method === 'POST' && url.pathname === '/free') {
      stopLeak();
      retained.length = 0;
      return json(200, state());
    }
    return json(404, { error: `no route ${req.method} ${url.pathname}` });
  } catch (err) {
    return json(400, { error: err instanceof Error ? err.message : String(err) });
  }
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ event: 'listening', port: server.address().port, pid: process.pid }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
