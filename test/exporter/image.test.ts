/**
 * No Docker engine runs here, so the image is checked structurally: pinned Node 24 bases,
 * multi-stage, numeric non-root USER, the bundled agent at AGENT_SOURCE_IN_IMAGE, and the
 * command running the file the bundle step writes. The bundles themselves are what every other
 * exporter and agent test runs (test/support/exporter-harness.ts, test/support/agent-bundle.ts),
 * so what is tested is what ships.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_SOURCE_IN_IMAGE, EXPORTER_NODE_FLAGS } from '../../src/contract';
import { DEFAULT_CONFIG } from '../../src/config';
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

  it('carries the bundled agent where the init container copies it from, and runs the bundle with the measured flags', () => {
    const bundleStep = instructions.find((l) => l.includes('build/scripts/bundle.js'));
    const agentOut = /--agent (\S+)/.exec(bundleStep ?? '')?.[1];
    const out = /--exporter (\S+)/.exec(bundleStep ?? '')?.[1];
    assert.ok(agentOut && out, 'the build stage runs bundle.js with an output path for each bundle');
    assert.ok(instructions.some((l) => l.startsWith('COPY --from=build') && l.split(' ').includes(agentOut!) && l.endsWith(` ${AGENT_SOURCE_IN_IMAGE}`)), 'the final stage copies the agent bundle to AGENT_SOURCE_IN_IMAGE');
    assert.ok(!instructions.some((l) => l.includes('src/agent/') && l.startsWith('COPY --chown')), 'no agent source file is copied into the runtime stage');
    const copied = instructions.find((l) => l.startsWith('COPY --from=build') && l.includes(out!));
    assert.ok(copied, 'the final stage copies the bundle');
    const target = copied!.split(' ').pop()!;
    const cmd = instructions.find((l) => l.startsWith('CMD '));
    assert.deepEqual(JSON.parse(cmd!.slice(4)), ['node', ...EXPORTER_NODE_FLAGS, target], 'the flags the tests and the bench run with');
  });

  it('compiles the bundler on its own (scripts/tsconfig.bundle.json)', () => {
    const tsconfig = fs.readFileSync(path.join(REPO_ROOT, 'scripts/tsconfig.bundle.json'), 'utf8');
    assert.match(tsconfig, /"include": \["bundle\.ts"\]/);
    assert.ok(instructions.some((l) => l.includes('tsc -p scripts/tsconfig.bundle.json')));
  });

  it('its build commands, run outside Docker on a copy of the build context, produce a sidecar that starts', async () => {
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-exporter-image-'));
    try {
      // Exactly what the build stage copies from the context: a file it forgets fails the build here.
      const buildStage = instructions.slice(0, instructions.findIndex((l, i) => i > 0 && l.startsWith('FROM ')));
      for (const copy of buildStage.filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
        const sources = copy.split(' ').slice(1, -1).filter((w) => !w.startsWith('--'));
        for (const src of sources) fs.cpSync(path.join(REPO_ROOT, src), path.join(ctx, src), { recursive: true });
      }
      fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(ctx, 'node_modules')); // stands in for `npm ci`
      const run = instructions.find((l) => l.startsWith('RUN npx tsc'))!;
      const script = run.slice(4).replace(/\/out\//g, `${ctx}/out/`);
      const built = spawnSync('sh', ['-c', script], { cwd: ctx, encoding: 'utf8', env: { ...process.env, PATH: `${path.dirname(NODE)}:${process.env.PATH}` } });
      assert.equal(built.status, 0, `${built.stdout}${built.stderr}`);
      const bundle = path.join(ctx, 'out/heapwatch-exporter.js');
      assert.ok(fs.statSync(bundle).size > 100_000);
      assert.match(fs.readFileSync(path.join(ctx, 'out/heapwatch-agent.js'), 'utf8'), /heapwatch agent watching this process/, 'the agent bundle');

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
