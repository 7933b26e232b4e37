/**
 * The agent's promise for a fault of its own: it disables itself once, with one error line,
 * keeps /livez answering 200 (a broken monitor must not get the app restarted) and never reaches
 * the app. The fault is a real one, no hook: the app runs out of file descriptors (a file
 * descriptor leak, under a low `ulimit -n`), so the agent's next check finds
 * process.memoryUsage() throwing EMFILE. Real child processes on Node 20 and Node 24.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AgentReader, FIXTURES, freePort, httpGet, livez, NODES, sleep, startApp, tempDir, withApp } from '../support/agent-harness';

/** Low enough that the app runs out in a few hundred opens, high enough for its own servers. */
const FD_LIMIT = 256;
const CHECK_SECONDS = 0.2;

for (const node of NODES) {
  describe(`agent fault (${node.name})`, () => {
    it('a fault in a check disables the agent once, with one error line; /livez stays 200 and the app runs on', async () => {
      const dir = tempDir('agent-fault');
      const livenessPort = await freePort();
      const app = startApp({
        node, fixture: 'agent-leaky-app.js', agent: { checkIntervalSeconds: CHECK_SECONDS, livenessPort, startupGraceSeconds: 0 },
        command: { file: '/bin/sh', args: ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$1"`, node.bin, path.join(FIXTURES, 'agent-leaky-app.js')] },
      }, dir);
      await withApp(app, async () => {
        const { port, pid } = await app.hello();
        const reader = await AgentReader.connect(dir);
        await reader.reading((r) => r.pid === pid, 'a reading of the app');
        assert.deepEqual(JSON.parse((await httpGet(port, '/agent')).body), { active: true, reason: null, pid });

        // Five check intervals without a file descriptor: the first check in them faults.
        const held = await httpGet(port, `/hold-all-fds?ms=${5 * CHECK_SECONDS * 1000}`);
        assert.equal(held.status, 200);
        assert.ok(Number(held.body) > 0, `the app's own request ran through the fault: held ${held.body} descriptors`);
        const errors = () => app.logs().filter((l) => l.level === 'error');
        for (let i = 0; i < 100 && errors().length === 0; i++) await sleep(50);
        assert.equal(errors().length, 1, JSON.stringify(errors()));
        assert.equal(errors()[0].msg, 'heapwatch agent disabled after an internal fault; the app is not affected');
        assert.match(String(errors()[0].error), /EMFILE.*uv_resident_set_memory/);

        assert.deepEqual(JSON.parse((await httpGet(port, '/agent')).body), { active: false, reason: 'disabled-after-fault', pid });
        const l = await livez(livenessPort);
        assert.equal(l.status, 200);
        assert.equal(l.state, 'disabled');

        // Disabled means stopped: no check runs, so neither a reading nor a second fault.
        const readings = reader.readings.length;
        await httpGet(port, `/hold-all-fds?ms=${5 * CHECK_SECONDS * 1000}`);
        await sleep(5 * CHECK_SECONDS * 1000);
        assert.equal(reader.readings.length, readings, 'no reading after the fault');
        assert.equal(errors().length, 1, `still one error line: ${JSON.stringify(errors())}`);
        assert.equal((await livez(livenessPort)).status, 200);

        assert.equal((await httpGet(port, '/ping')).body, 'pong');
        assert.equal((await httpGet(port, '/grow?mb=4')).status, 200);
        assert.ok(!app.hasExited(), 'the app is still running');
        reader.close();
      });
      assert.equal(app.child.exitCode, 0, 'the app exits as it would without the agent (SIGTERM -> 0)');
    });
  });
}
