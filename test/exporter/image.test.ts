/**
 * The image for exporter.delivery 'image'. No Docker engine runs here, so it is checked
 * structurally (pinned Node 24 bases, multi-stage, numeric non-root USER, the agent at
 * AGENT_SOURCE_IN_IMAGE, CMD the command the pod states), and its build commands are run on a
 * copy of its build context: they must bundle the same bytes configmap delivery ships, which
 * test/app/shipped-code.test.ts compares with a fresh bundle of src/.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { defaultManifests } from '../../charts/default-app';
import { shippedCode } from '../../src/app';
import { AGENT_FILE, AGENT_SOURCE_IN_IMAGE, CODE_DIR, EXPORTER_FILE, EXPORTER_NODE_FLAGS } from '../../src/contract';
import { DEFAULT_CONFIG, ExporterDelivery } from '../../src/config';
import { REPO_ROOT } from '../support/repo-root';
import { NODE, request, waitFor } from '../support/exporter-harness';

const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'src/exporter/Dockerfile'), 'utf8');
/** Instructions, one per entry, continuation lines (ending in a backslash) joined. */
const instructions = dockerfile
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'))
  .reduce<string[]>((acc, l) => {
    const last = acc[acc.length - 1];
    if (last?.endsWith('\\')) acc[acc.length - 1] = `${last.slice(0, -1).trim()} ${l}`;
    else acc.push(l);
    return acc;
  }, []);

describe('exporter Dockerfile', () => {
  it('builds in stages from a pinned Node 24 image, never latest', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    assert.ok(froms.length >= 2, 'multi-stage');
    for (const f of froms) assert.match(f, /^FROM docker\.io\/library\/node:24\.\d+\.\d+-(alpine\d+\.\d+|bookworm-slim)( AS \w+)?$/);
    // The runtime is the same Node image as the sample app; the build stage the same Node version.
    assert.equal(froms[froms.length - 1], `FROM ${DEFAULT_CONFIG.app.image}`);
    const version = /node:(24\.\d+\.\d+)-/.exec(DEFAULT_CONFIG.app.image)![1];
    for (const f of froms) assert.ok(f.includes(`node:${version}-`), f);
  });

  it('runs as a numeric non-root user', () => {
    const users = instructions.filter((l) => l.startsWith('USER '));
    assert.equal(users.length, 1);
    const [uid, gid] = users[0].slice(5).split(':').map(Number);
    assert.ok(Number.isInteger(uid) && uid > 0 && Number.isInteger(gid) && gid > 0, users[0]);
    const last = instructions.length - 1 - [...instructions].reverse().findIndex((l) => l.startsWith('FROM '));
    assert.ok(instructions.indexOf(users[0]) > last, 'USER is set in the final stage');
  });

  it('builds with `npm run build` and carries its two bundles where the pod runs them', () => {
    assert.ok(instructions.includes('RUN npm run build'), 'the build stage runs the build that writes build/bundles/');
    const copied = instructions.find((l) => l.startsWith('COPY --from=build'))!.split(' ').filter((w) => !w.startsWith('--')).slice(1);
    const target = copied.pop()!;
    assert.deepEqual(copied.map((f) => path.posix.join(target, path.posix.basename(f))).sort(), [AGENT_SOURCE_IN_IMAGE, `${CODE_DIR}/${EXPORTER_FILE}`].sort());
    assert.deepEqual(copied.map((f) => path.posix.dirname(f)), copied.map(() => '/src/build/bundles'));
    // CMD is for `docker run`; the pod states the same command itself.
    const cmd = JSON.parse(instructions.find((l) => l.startsWith('CMD '))!.slice(4));
    const image = 'registry.example.test/team/heapwatch-exporter:0.1.0';
    const deployment = defaultManifests({ exporter: { delivery: ExporterDelivery.IMAGE, image } }).find((m: any) => m.kind === 'Deployment' && m.metadata.name === 'sample-app');
    const sidecar = deployment.spec.template.spec.containers.find((c: any) => c.name === 'heapwatch-exporter');
    assert.deepEqual(cmd, ['node', ...EXPORTER_NODE_FLAGS, `${CODE_DIR}/${EXPORTER_FILE}`], 'the flags the tests and the bench run with');
    assert.deepEqual(sidecar.command, cmd);
    assert.equal(sidecar.image, image);
  });

  it('its build commands, run outside Docker on a copy of the build context, bundle what dist/ ships and produce a sidecar that starts', async () => {
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-exporter-image-'));
    try {
      // Exactly what the build stage copies (COPY <src> <dest>, not --from).
      for (const l of instructions.filter((i) => i.startsWith('COPY ') && !i.includes('--from='))) {
        const [, ...srcs] = l.split(' ');
        srcs.pop();
        for (const src of srcs) fs.cpSync(path.join(REPO_ROOT, src), path.join(ctx, src), { recursive: true });
      }
      fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(ctx, 'node_modules')); // stands in for `npm ci`
      const run = instructions.filter((l) => l.startsWith('RUN npm run'));
      assert.equal(run.length, 1);
      const built = spawnSync('sh', ['-c', run[0].slice(4)], { cwd: ctx, encoding: 'utf8', env: { ...process.env, PATH: `${path.dirname(NODE)}:${process.env.PATH}` } });
      assert.equal(built.status, 0, `${built.stdout}${built.stderr}`);
      const bundle = path.join(ctx, 'build/bundles', EXPORTER_FILE);
      // The image's files are the bytes configmap delivery ships (read from this checkout's build/bundles).
      const shipped = shippedCode();
      assert.ok(fs.readFileSync(bundle).equals(shipped.exporter), 'the image bundles the sidecar dist/ ships');
      assert.ok(fs.readFileSync(path.join(ctx, 'build/bundles', AGENT_FILE)).equals(shipped.agent), 'and the agent');

      // Started the way CMD starts it, from / (a read-only root: nothing is written to cwd).
      const shared = path.join(ctx, 'shared');
      fs.mkdirSync(shared);
      const proc = spawn(NODE, [...EXPORTER_NODE_FLAGS, bundle], { cwd: '/', env: { PATH: process.env.PATH, HEAPWATCH_DIR: shared, HEAPWATCH_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => proc.on('exit', r));
      const port = await waitFor(() => /"port":(\d+)/.exec(out)?.[1], 10_000, 'the image-built sidecar');
      assert.equal((await request(Number(port), 'GET', '/healthz')).status, 200);
      proc.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      fs.rmSync(ctx, { recursive: true, force: true });
    }
  });
});
