/**
 * `heapwatch fetch` through the real bin, with a mock kubectl on PATH (test/fixtures/fake-kubectl.js:
 * no Kubernetes API server runs here) that reads the token "Secret" and port-forwards to a
 * stand-in for the sidecar's admin API.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES } from '../support/agent-harness';
import { REPO_ROOT as REPO } from '../support/repo-root';

const BIN = path.join(REPO, 'build', 'src', 'cli', 'heapwatch.js');
const TOKEN = 'test-token-not-real';

describe('heapwatch fetch (the bin, mock kubectl)', () => {
  let dir: string;
  const log = () => fs.readFileSync(path.join(dir, 'kubectl.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; pid: number });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-fetch-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'kubectl'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(FIXTURES, 'fake-kubectl.js')}" "$@"\n`, { mode: 0o755 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function heapwatch(args: string[], env: Record<string, string> = {}) {
    fs.rmSync(path.join(dir, 'kubectl.log'), { force: true });
    const r = spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, FAKE_KUBECTL_LOG: path.join(dir, 'kubectl.log'), FAKE_KUBECTL_TOKEN: TOKEN, FAKE_KUBECTL_BODY: '{"head":{}}', ...env },
    });
    if (r.error) throw r.error;
    return r;
  }

  it("takes a new profile, downloads it, prints its path and stops the port-forward; without --namespace, in kubectl's current one", () => {
    const out = path.join(dir, 'out');
    const r = heapwatch(['fetch', 'profile', '--deployment', 'sample-app', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${path.join(out, 'sample-app-1.heapprofile')}\n`);
    assert.equal(fs.readFileSync(path.join(out, 'sample-app-1.heapprofile'), 'utf8'), '{"head":{}}');
    assert.deepEqual(fs.readdirSync(out), ['sample-app-1.heapprofile'], 'no partial file left');
    const calls = log();
    assert.deepEqual(calls.map((c) => c.args), [
      ['get', 'secret', 'heapwatch-snapshot-token', '-o', 'jsonpath={.data.token}'],
      ['port-forward', '--address', '127.0.0.1', 'deploy/sample-app', ':9464'],
    ]);
    assert.throws(() => process.kill(calls[1].pid, 0), /ESRCH/, 'the port-forward is stopped');
    assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), 'the token is never printed');
  });

  it('downloads an existing snapshot by name from one pod, without taking a new one', () => {
    const out = path.join(dir, 'existing');
    const r = heapwatch(['fetch', 'snapshot', '--pod', 'sample-app-7d9f', '--namespace', 'payments', '--name', 'sample-app-1.heapsnapshot', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(out, 'sample-app-1.heapsnapshot')));
    assert.deepEqual(log()[1].args.slice(0, 2), ['--namespace', 'payments']);
    assert.equal(log()[1].args[5], 'pod/sample-app-7d9f');
  });

  it('fails with exit code 1 and the admin API\'s answer when it refuses', () => {
    const r = heapwatch(['fetch', 'snapshot', '--deployment', 'sample-app', '--out', path.join(dir, 'refused')], { FAKE_KUBECTL_POST_STATUS: '429' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'heapwatch: POST /admin/heap-snapshots answered 429: cooling down (retry after 240 s)\n');
    assert.throws(() => process.kill(log()[1].pid, 0), /ESRCH/, 'the port-forward is stopped after a failure too');
  });

  it('fails with exit code 1 naming the Secret kubectl cannot read', () => {
    const r = heapwatch(['fetch', 'snapshot', '--deployment', 'sample-app', '--secret', 'other-token']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^heapwatch: kubectl get secret other-token in the current context's namespace failed: Error from server \(NotFound\): secrets "other-token" not found\n$/);
  });

  it('fails with exit code 1 when kubectl is not installed', () => {
    const r = spawnSync(process.execPath, [BIN, 'fetch', 'snapshot', '--deployment', 'sample-app'], { encoding: 'utf8', env: { ...process.env, PATH: path.join(dir, 'empty') } });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'heapwatch: kubectl is not installed or not on PATH\n');
  });
});
