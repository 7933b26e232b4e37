/**
 * Which process the agent watches. NODE_OPTIONS reaches every Node process in the container:
 * the app, a package-manager wrapper around it, its worker threads, cluster workers and child
 * processes. Only the app may start the liveness server and the publisher.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AgentApp, FIXTURES, freePort, livez, NODES, AgentReader, startApp, tempDir } from '../support/agent-harness';

/** npm as installed with the system Node; Node 24 runs the same cli file. */
const NPM_CLI = '/usr/lib/node_modules/npm/bin/npm-cli.js';

interface AgentState {
  readonly active: boolean;
  readonly reason: string | null;
  readonly pid: number;
}

function watchingLogs(app: AgentApp) {
  return app.logs().filter((l) => String(l.msg).startsWith('heapwatch agent watching'));
}

function conflictLogs(app: AgentApp) {
  return app.logs().filter((l) => /^Not serving|^Not publishing|^Another heapwatch agent/.test(String(l.msg)));
}

for (const node of NODES) {
  describe(`agent process selection (${node.name})`, { concurrency: 2 }, () => {
    it('watches the app and stays passive in its worker thread, cluster worker and child process', async () => {
      const dir = tempDir('agent-family');
      const port = await freePort();
      const app = startApp({ node, fixture: 'agent-family-app.js', agent: { checkIntervalSeconds: 0.2, livenessPort: port } }, dir);
      try {
        const out = await app.hello<{ self: AgentState; workerThread: AgentState | null; clusterWorker: AgentState; child: AgentState; pids: { self: number } }>();
        assert.deepEqual(out.self, { active: true, reason: null, pid: out.pids.self });
        assert.equal(out.child.active, false);
        assert.equal(out.child.reason, 'started-under-active-agent');
        assert.equal(out.clusterWorker.active, false);
        assert.equal(out.clusterWorker.reason, 'cluster-worker');
        // Worker threads load --require too; the agent must find itself off the main thread.
        assert.deepEqual(out.workerThread && { active: out.workerThread.active, reason: out.workerThread.reason }, { active: false, reason: 'worker-thread' });

        const reader = await AgentReader.connect(dir);
        const r = await reader.nextReading();
        assert.equal(r.pid, out.pids.self, 'the reading file describes the app');
        assert.equal((await livez(port)).status, 200);
        assert.deepEqual(watchingLogs(app).map((l) => l.pid), [out.pids.self], 'one watching process');
        assert.deepEqual(conflictLogs(app), [], 'no port or socket conflict in any process');
        reader.close();
      } finally {
        app.child.stdin!.end();
        await app.stop();
      }
    });

    it('watches the app, not npm, under `npm start`', async () => {
      const dir = tempDir('agent-npm');
      const home = tempDir('agent-npm-home');
      const port = await freePort();
      // Outside the repository: npm puts every ancestor's node_modules/.bin on PATH, and the
      // repository's holds Node 24's `node`.
      const project = tempDir('agent-npm-project');
      fs.cpSync(path.join(FIXTURES, 'agent-npm-project'), path.join(project, 'agent-npm-project'), { recursive: true });
      fs.copyFileSync(path.join(FIXTURES, 'agent-leaky-app.js'), path.join(project, 'agent-leaky-app.js'));
      const app = startApp({
        node, fixture: '',
        agent: { checkIntervalSeconds: 0.2, livenessPort: port },
        env: { HOME: home, npm_config_cache: path.join(home, 'cache'), npm_config_update_notifier: 'false', npm_config_fund: 'false' },
        command: { file: node.bin, args: [NPM_CLI, 'start', '--silent'], cwd: path.join(project, 'agent-npm-project') },
      }, dir);
      let appPid: number | undefined;
      try {
        const hello = await app.hello();
        appPid = hello.pid;
        assert.notEqual(appPid, app.child.pid, 'the app is npm\'s child, not npm');
        const reader = await AgentReader.connect(dir);
        const r = await reader.nextReading();
        assert.equal(r.pid, appPid, 'the reading file describes the app');
        assert.equal(r.nodeVersion, spawnVersion(node.bin));
        assert.equal((await livez(port)).status, 200);
        assert.deepEqual(watchingLogs(app).map((l) => l.pid), [appPid], 'npm itself started nothing');
        assert.deepEqual(conflictLogs(app), []);
        reader.close();
      } finally {
        if (appPid !== undefined) {
          try {
            process.kill(appPid, 'SIGTERM');
          } catch {
            // Already gone with npm.
          }
        }
        await app.stop();
      }
    });
  });
}

function spawnVersion(bin: string): string {
  const real = fs.realpathSync(bin);
  return execFileSync(real, ['-p', 'process.version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }).trim();
}
