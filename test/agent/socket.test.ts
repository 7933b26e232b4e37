/**
 * The agent's socket and its neighbours: snapshots on request (and refusals), a broken
 * socket path, a stale socket file, a second watched process on the same volume, a taken
 * liveness port, bad settings, and a process the agent must not keep alive. Real child
 * processes on Node 20 and Node 24.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_ENV, AGENT_READING_FILE, AGENT_SOCKET, SNAPSHOT_SUBDIR } from '../../src/contract';
import { agentBundle, AgentReader, freePort, httpGet, livez, MiB, NODES, startApp, tempDir, withApp } from '../support/agent-harness';

for (const node of NODES) {
  describe(`agent socket and snapshots (${node.name})`, { concurrency: 2 }, () => {
    it('writes a heap snapshot on request and answers with its size and duration', async () => {
      const dir = tempDir('agent-snap');
      const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 1, livenessPort: await freePort(), containerMemoryLimitBytes: 4 * 1024 * MiB } }, dir);
      await withApp(app, async () => {
        await app.hello();
        const reader = await AgentReader.connect(dir);
        await reader.reading(() => true, 'a reading');
        reader.send({ type: 'snapshot', id: 'req-1', file: 'manual-1.heapsnapshot' });
        const result = await reader.result('req-1');
        assert.equal(result.ok, true, JSON.stringify(result));
        assert.equal(result.file, 'manual-1.heapsnapshot');
        const file = path.join(dir, SNAPSHOT_SUBDIR, 'manual-1.heapsnapshot');
        assert.equal(result.bytes, fs.statSync(file).size);
        assert.ok(result.bytes! > 1024);
        assert.ok(typeof result.durationMs === 'number' && result.durationMs >= 0);
        assert.deepEqual(fs.readdirSync(path.join(dir, SNAPSHOT_SUBDIR)), ['manual-1.heapsnapshot'], 'no partial file left');
        assert.equal(fs.statSync(file).mode & 0o777, 0o640, 'readable by the volume group (the sidecar)');
        reader.close();
      });
    });

    it('refuses snapshots without headroom, when too slow, while busy, and for bad file names', async () => {
      const dir = tempDir('agent-refuse');
      // 64 MiB: the app's RSS plus the estimated snapshot cost cannot fit.
      const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 1, livenessPort: await freePort(), containerMemoryLimitBytes: 64 * MiB } }, dir);
      await withApp(app, async () => {
        await app.hello();
        const reader = await AgentReader.connect(dir);
        reader.send({ type: 'snapshot', id: 'tight', file: 'tight.heapsnapshot' });
        const tight = await reader.result('tight');
        assert.equal(tight.ok, false);
        assert.equal(tight.reason, 'no-headroom');
        assert.match(tight.message!, /container limit 67108864 B/);

        for (const [id, file] of [['sep', '../escape.heapsnapshot'], ['ext', 'notes.txt'], ['dot', '.hidden.heapsnapshot'], ['type', 42]] as const) {
          reader.send({ type: 'snapshot', id, file });
          const r = await reader.result(id);
          assert.equal(r.ok, false, id);
          assert.equal(r.reason, 'error', id);
          assert.ok(r.message!.includes(`'file' (${JSON.stringify(file)})`), r.message);
        }
        assert.ok(!fs.existsSync(path.join(dir, SNAPSHOT_SUBDIR)), 'nothing written');
        assert.ok(!fs.existsSync(path.join(dir, '..', 'escape.heapsnapshot')));
        reader.close();
      });

      const dir2 = tempDir('agent-refuse');
      const app2 = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 1, livenessPort: await freePort(), containerMemoryLimitBytes: 4 * 1024 * MiB, livenessToleranceSeconds: 0.01 } }, dir2);
      await withApp(app2, async () => {
        const { port } = await app2.hello();
        await httpGet(port, '/grow?mb=8&kind=small');
        const reader = await AgentReader.connect(dir2);
        reader.send({ type: 'snapshot', id: 'slow', file: 'slow.heapsnapshot' });
        const slow = await reader.result('slow');
        assert.equal(slow.reason, 'too-slow', JSON.stringify(slow));
        assert.match(slow.message!, /HEAPWATCH_LIVENESS_TOLERANCE_SECONDS/);
        reader.close();
      });

      const dir3 = tempDir('agent-busy');
      const app3 = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 1, livenessPort: await freePort(), containerMemoryLimitBytes: 4 * 1024 * MiB } }, dir3);
      await withApp(app3, async () => {
        await app3.hello();
        const reader = await AgentReader.connect(dir3);
        // Two requests in one write arrive together: the second finds the first under way.
        reader.sendRaw(JSON.stringify({ type: 'snapshot', id: 'a', file: 'a.heapsnapshot' }) + '\n' + JSON.stringify({ type: 'snapshot', id: 'b', file: 'b.heapsnapshot' }) + '\n');
        const [a, b] = [await reader.result('a'), await reader.result('b')];
        assert.equal(a.ok, true, JSON.stringify(a));
        assert.equal(b.ok, false);
        assert.equal(b.reason, 'busy');
        reader.close();
      });
    });

    it('answers a failed snapshot with reason "error" and keeps watching', async () => {
      const dir = tempDir('agent-snapfail');
      fs.writeFileSync(path.join(dir, SNAPSHOT_SUBDIR), 'a file where the snapshot directory should be\n');
      const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 0.2, livenessPort: await freePort(), containerMemoryLimitBytes: 4 * 1024 * MiB } }, dir);
      await withApp(app, async () => {
        await app.hello();
        const reader = await AgentReader.connect(dir);
        reader.send({ type: 'snapshot', id: 'blocked', file: 'blocked.heapsnapshot' });
        const result = await reader.result('blocked');
        assert.equal(result.ok, false);
        assert.equal(result.reason, 'error');
        assert.match(result.message!, /EEXIST|ENOTDIR/);
        const after = reader.readings.length;
        await reader.reading((_, i) => i >= after + 2, 'readings after the failure');
        assert.equal(app.logs().filter((l) => String(l.msg).includes('disabled')).length, 0);
        reader.close();
      });
    });

    it('keeps the app serving when the socket path is broken, and logs it once', async () => {
      const parent = tempDir('agent-broken');
      const notADir = path.join(parent, 'not-a-directory');
      fs.writeFileSync(notADir, 'a file where the shared directory should be\n');
      const port = await freePort();
      const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 0.2, livenessPort: port } }, notADir);
      await withApp(app, async () => {
        const { port: appPort } = await app.hello();
        const first = await livez(port);
        for (let i = 0; i < 5; i++) assert.equal((await httpGet(appPort, '/ping')).body, 'pong');
        let later = await livez(port);
        while (later.checks < first.checks + 3) later = await livez(port);
        assert.equal(later.status, 200);
        assert.equal(app.hasExited(), false);
        const socketLogs = app.logs().filter((l) => String(l.msg).startsWith('Not publishing readings'));
        assert.equal(socketLogs.length, 1, JSON.stringify(app.logs()));
        assert.equal(socketLogs[0].code, 'ENOTDIR');
        assert.equal(socketLogs[0].socket, path.join(notADir, AGENT_SOCKET), 'names the socket path');
      });
    });

    it('replaces a stale socket file left by a killed process', async () => {
      const dir = tempDir('agent-stale');
      const socketPath = path.join(dir, AGENT_SOCKET);
      // A process that listens on the socket path and is killed, leaving the file behind.
      const killed = spawnSync(node.bin, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
      assert.equal(killed.signal, 'SIGKILL');
      assert.ok(fs.lstatSync(socketPath).isSocket(), 'a stale socket file is there');
      const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 0.2, livenessPort: await freePort() } }, dir);
      await withApp(app, async () => {
        const { pid } = await app.hello();
        const reader = await AgentReader.connect(dir);
        const r = await reader.reading(() => true, 'a reading on the replaced socket');
        assert.equal(r.pid, pid);
        reader.close();
      });
      assert.equal(fs.existsSync(socketPath), false, 'the socket file is removed on exit');
      assert.equal(fs.existsSync(path.join(dir, AGENT_READING_FILE)), false, 'the reading file is removed on exit');
    });

    it('lets only the socket\'s owner write the reading file when a second watched process shares the volume', async () => {
      const dir = tempDir('agent-second');
      const first = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 0.1, livenessPort: await freePort() } }, dir);
      await withApp(first, async () => {
        const { pid } = await first.hello();
        const reader = await AgentReader.connect(dir);
        await reader.reading((r) => r.pid === pid, 'a reading of the first process');
        const second = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 0.1, livenessPort: await freePort() } }, dir);
        await withApp(second, async () => {
          const { pid: secondPid } = await second.hello();
          const from = reader.readings.length;
          await reader.reading((_, i) => i >= from + 10, 'ten more checks');
          assert.deepEqual([...new Set(reader.readings.map((r) => r.pid))], [pid], `readings only from the first process, not ${secondPid}`);
          assert.ok(second.logs().some((l) => String(l.msg).startsWith('Another heapwatch agent already publishes')), JSON.stringify(second.logs()));
        });
        reader.close();
      });
    });

    it('keeps sampling and publishing when the liveness port is taken', async () => {
      const dir = tempDir('agent-port');
      const blocker = net.createServer();
      const port = await freePort();
      await new Promise<void>((resolve) => blocker.listen(port, '0.0.0.0', resolve));
      try {
        const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 0.2, livenessPort: port } }, dir);
        await withApp(app, async () => {
          await app.hello();
          const reader = await AgentReader.connect(dir);
          const first = await reader.nextReading();
          await reader.reading((r) => r.ts > first.ts, 'a later check');
          const portLogs = app.logs().filter((l) => String(l.msg).startsWith('Not serving /livez'));
          assert.equal(portLogs.length, 1);
          assert.equal(portLogs[0].port, port);
          assert.equal(portLogs[0].code, 'EADDRINUSE');
          reader.close();
        });
      } finally {
        blocker.close();
      }
    });

    it('logs an invalid setting once, naming the variable, value and what is allowed, and uses the default', async () => {
      const dir = tempDir('agent-env');
      const port = await freePort();
      const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: 0.2, livenessPort: port, highRatio: '1.5', ratioBasis: 'heapTotal', snapshotBeforeRestart: 'constructor' } }, dir);
      await withApp(app, async () => {
        await app.hello();
        const reader = await AgentReader.connect(dir);
        await reader.nextReading();
        const invalid = app.logs().filter((l) => l.variable !== undefined);
        assert.deepEqual(invalid.map((l) => [l.variable, l.value, l.allowed, l.default]), [
          [AGENT_ENV.highRatio, '1.5', 'a number in (0, 1]', 0.85],
          [AGENT_ENV.ratioBasis, 'heapTotal', '"limit" or "total"', 'limit'],
          [AGENT_ENV.snapshotBeforeRestart, 'constructor', '"true" or "false"', true],
        ]);
        const started = app.logs().find((l) => String(l.msg).startsWith('heapwatch agent watching'));
        assert.equal(started?.highRatio, 0.85);
        assert.equal(started?.ratioBasis, 'limit');
        assert.equal((await livez(port)).status, 200);
        assert.equal((await httpGet(port, '/livez', 'HEAD')).status, 200);
        assert.equal((await httpGet(port, '/metrics')).status, 404, 'only /livez is served');
        assert.equal((await httpGet(port, '/livez', 'POST')).status, 404);
        reader.close();
      });
    });

    it('never keeps a process alive', async () => {
      const dir = tempDir('agent-exit');
      const port = await freePort();
      // A short script that would exit at once; the agent's servers, timers and socket must not hold it.
      const child = spawn(node.bin, ['-e', 'setTimeout(() => {}, 300)'], {
        env: { PATH: '/usr/bin:/bin', NODE_OPTIONS: `--require ${agentBundle()}`, [AGENT_ENV.dir]: dir, [AGENT_ENV.livenessPort]: String(port), [AGENT_ENV.checkIntervalSeconds]: '0.1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // Connect as the sidecar would: an open client must not hold the app either.
      const reader = await AgentReader.connect(dir);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      reader.close();
      assert.equal(code, 0, stderr);
      assert.match(stderr, /heapwatch agent watching this process/);
      assert.equal(fs.existsSync(path.join(dir, AGENT_SOCKET)), false, 'socket removed on exit');
    });
  });
}
