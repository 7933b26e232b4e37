/**
 * No Docker engine runs here, so the image is checked structurally: pinned Node 24 bases,
 * multi-stage, numeric non-root USER, the agent at AGENT_SOURCE_IN_IMAGE, and the command
 * running the file the bundle step writes. The bundle itself is what every other exporter
 * test runs (test/support/exporter-harness.ts), so what is tested is what ships.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_SOURCE_IN_IMAGE } from '../src/contract';
import { DEFAULT_CONFIG } from '../src/config';
import { EXPORTER_NODE_FLAGS, REPO_ROOT } from '../src/exporter/bundle';

const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'src/exporter/Dockerfile'), 'utf8');
const instructions = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

describe('exporter Dockerfile', () => {
  it('builds in stages from a pinned Node 24 image, never latest', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    assert.ok(froms.length >= 2, 'multi-stage');
    for (const f of froms) assert.match(f, /^FROM docker\.io\/library\/node:24\.\d+\.\d+-alpine\d+\.\d+( AS \w+)?$/);
    // The same Node as the sample app, so the agent is tested on the Node it ships with.
    assert.ok(froms[froms.length - 1].includes(DEFAULT_CONFIG.app.image.split(':')[1]));
  });

  it('runs as a numeric non-root user', () => {
    const users = instructions.filter((l) => l.startsWith('USER '));
    assert.equal(users.length, 1);
    const [uid, gid] = users[0].slice(5).split(':').map(Number);
    assert.ok(Number.isInteger(uid) && uid > 0 && Number.isInteger(gid) && gid > 0, users[0]);
    const last = instructions.length - 1 - [...instructions].reverse().findIndex((l) => l.startsWith('FROM '));
    assert.ok(instructions.indexOf(users[0]) > last, 'USER is set in the final stage');
  });

  it('carries the agent where the init container copies it from, and runs the bundle with the measured flags', () => {
    assert.ok(instructions.some((l) => l.startsWith('COPY') && l.includes('src/agent/heapwatch-agent.js') && l.endsWith(` ${AGENT_SOURCE_IN_IMAGE}`)));
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'src/agent/heapwatch-agent.js')));
    const bundleStep = instructions.find((l) => l.includes('build/src/exporter/bundle.js'));
    const out = /bundle\.js (\S+)/.exec(bundleStep ?? '')?.[1];
    assert.ok(out, 'the build stage runs bundle.js with an output path');
    const copied = instructions.find((l) => l.startsWith('COPY --from=build') && l.includes(out!));
    assert.ok(copied, 'the final stage copies the bundle');
    const target = copied!.split(' ').pop()!;
    const cmd = instructions.find((l) => l.startsWith('CMD '));
    assert.deepEqual(JSON.parse(cmd!.slice(4)), ['node', ...EXPORTER_NODE_FLAGS, target], 'the flags the tests and the bench run with');
  });

  it('compiles the bundler on its own (src/exporter/tsconfig.bundle.json)', () => {
    const tsconfig = fs.readFileSync(path.join(REPO_ROOT, 'src/exporter/tsconfig.bundle.json'), 'utf8');
    assert.match(tsconfig, /"include": \["bundle\.ts"\]/);
    assert.ok(instructions.some((l) => l.includes('tsc -p src/exporter/tsconfig.bundle.json')));
  });
});
