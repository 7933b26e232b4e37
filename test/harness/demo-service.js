'use strict';
/**
 * The demo's watched app: a tiny HTTP service with a leak you can switch on and off. It is
 * plain JavaScript run directly by node (like a user's service), loaded with the manifest's
 * NODE_OPTIONS so the heapwatch agent rides inside it.
 *
 *   GET  /               "ok" (the app keeps serving; the e2e test checks this)
 *   GET  /state          { pid, leaking, records, retainedMiB, heapUsed, heapLimit, ratio }
 *   POST /leak/start     poll the queue at ?mibPerSecond=N (default 32) of records until the
 *                        heap used / limit ratio reaches ?untilRatio=R (default 0.93), then hold
 *   POST /leak/stop      stop polling, keep what is retained (a leak that stopped leaking)
 *   POST /free           drop everything retained
 *
 * The leak is a queue service gone wrong, the kind a NestJS backend runs: every polled record is
 * kept in a Map and never removed. Many small objects (a record, its payload string, its user
 * id string and its Date, about 270 bytes of heap each), the shape of a real leak: a forced GC
 * cannot reclaim them, and a heap snapshot of them costs far more memory than the heap they
 * use (npm run bench:snapshot). The records are made in pollMintingQueue(), the allocation site
 * a heap profile names.
 *
 * Environment: PORT (default 3000). It prints one JSON line { event: "listening", port } on stdout.
 */
const http = require('http');
const v8 = require('v8');

/** Heap bytes one retained record takes, measured (bench/snapshot-model-shape.ts's records: 250-280). */
const RECORD_HEAP_BYTES = 270;
const TICK_MS = 100;
const STATUSES = ['pending', 'minting', 'minted', 'failed'];

function heapRatio() {
  const s = v8.getHeapStatistics();
  return { heapUsed: s.used_heap_size, heapLimit: s.heap_size_limit, ratio: s.used_heap_size / s.heap_size_limit };
}

class UserMintingQueueService {
  constructor() {
    /** Every record ever polled, by id: the leak (nothing ever deletes from it). */
    this.seen = new Map();
    this.nextId = 0;
    this.row = Buffer.alloc(64);
    this.timer = null;
  }

  /** One poll of the minting queue: `count` rows, as a database driver decodes them. */
  pollMintingQueue(count) {
    const row = this.row;
    for (let i = 0; i < count; i++) {
      const id = this.nextId++;
      row.write(id.toString(16).padStart(12, '0'), 0, 'latin1');
      const payload = row.fill(97 + (id % 26), 12).toString('latin1', 0, 64);
      this.seen.set(id, { id, userId: `user-${id % 5000}`, status: STATUSES[id % 4], payload, createdAt: new Date() });
    }
  }

  start(mibPerSecond, untilRatio) {
    this.stop();
    const perTick = Math.max(1, Math.round((mibPerSecond * 2 ** 20 * TICK_MS) / 1000 / RECORD_HEAP_BYTES));
    this.timer = setInterval(() => {
      // In slices, so the check stops close to the asked ratio.
      for (let polled = 0; polled < perTick; polled += 2000) {
        if (heapRatio().ratio >= untilRatio) return;
        this.pollMintingQueue(Math.min(2000, perTick - polled));
      }
    }, TICK_MS);
  }

  stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  free() {
    this.stop();
    this.seen = new Map();
  }
}

const queue = new UserMintingQueueService();

function state() {
  return {
    pid: process.pid,
    leaking: queue.timer !== null,
    records: queue.seen.size,
    retainedMiB: (queue.seen.size * RECORD_HEAP_BYTES) / 2 ** 20,
    ...heapRatio(),
  };
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
      queue.start(numberParam(url, 'mibPerSecond', 32, 1, 1024), numberParam(url, 'untilRatio', 0.93, 0.01, 0.99));
      return json(200, state());
    }
    if (req.method === 'POST' && url.pathname === '/leak/stop') {
      queue.stop();
      return json(200, state());
    }
    if (req.method === 'POST' && url.pathname === '/free') {
      queue.free();
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
