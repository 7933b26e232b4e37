/**
 * The agent as it ships: one file (scripts/bundle.ts) that is `--require`d into a user's image
 * holding none of our packages. It must need nothing but Node built-ins, stay readable (a
 * stack trace in a user's log), and load and watch on Node 20 and Node 24.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { bundleAgent } from '../../scripts/bundle';
import { AGENT_ENV, AGENT_READING_FILE, AgentReading } from '../../src/contract';
import { agentBundle } from '../support/agent-bundle';
import { freePort, NODES, tempDir } from '../support/agent-harness';

describe('agent bundle', () => {
  const text = fs.readFileSync(agentBundle(), 'utf8');

  it('requires nothing but Node built-ins, each by a literal name', () => {
    const calls = [...text.matchAll(/\brequire\s*\(([^)]*)\)/g)].map((m) => m[1].trim());
    assert.ok(calls.length >= 8, `found ${calls.length} require() calls`);
    const wrong = calls.filter((arg) => {
      const name = /^"([^"]+)"$/.exec(arg)?.[1];
      return name === undefined || !isBuiltin(name);
    });
    assert.deepEqual(wrong, [], 'every require() names a Node built-in');
    // esbuild heads each bundled module with a comment naming its file.
    const modules = [...text.matchAll(/^\/\/ (\S+\.[jt]s)$/gm)].map((m) => m[1]);
    assert.ok(modules.includes('src/agent/main.ts') && modules.includes('src/contract.ts'), modules.join(', '));
    assert.deepEqual(modules.filter((m) => !m.startsWith('src/')), [], 'only heapwatch\'s own modules are bundled');
  });

  it('is not minified: the module and function names stay readable', () => {
    for (const name of ['function passiveReason(', 'function readSettings(', 'Streak = class {', 'function estimateSnapshot(', '// src/agent/socket.ts']) {
      assert.ok(text.includes(name), name);
    }
  });

  it('fails the build for anything that is not a Node built-in, bundled or left to run time', async () => {
    const dir = tempDir('agent-bundle-bad');
    const entry = (name: string, code: string) => {
      const file = path.join(dir, `${name}.ts`);
      fs.writeFileSync(file, code);
      return file;
    };
    const aPackage = entry('package', "import { build } from 'esbuild';\nexport const b = build;\n");
    const computed = entry('computed', "const name = process.env.X ?? 'node:fs';\nexport const m = require(name);\n");
    await assert.rejects(bundleAgent({ entry: aPackage, outfile: path.join(dir, 'a.js') }), /"esbuild" is not a Node built-in/);
    await assert.rejects(bundleAgent({ entry: computed, outfile: path.join(dir, 'b.js') }), /must need nothing but Node built-ins:[\s\S]*leaves require\(name\) to be resolved at run time/);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.js')), [], 'no bundle is left behind');
  });

  for (const node of NODES) {
    it(`loads and writes a reading on ${node.name}`, async () => {
      const dir = tempDir('agent-bundle-load');
      const port = await freePort();
      const readingFile = path.join(dir, AGENT_READING_FILE);
      // The app waits for the agent's first reading, prints it, and exits by itself: the agent keeps nothing alive.
      const app = `const fs = require('fs'); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(readingFile)})) { clearInterval(t); console.log(fs.readFileSync(${JSON.stringify(readingFile)}, 'utf8')); } }, 20);`;
      const child = spawn(node.bin, ['-e', app], {
        env: {
          PATH: '/usr/bin:/bin', NODE_OPTIONS: `--require ${agentBundle()}`,
          [AGENT_ENV.dir]: dir, [AGENT_ENV.checkIntervalSeconds]: '0.05', [AGENT_ENV.livenessPort]: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      clearTimeout(timer);
      assert.equal(code, 0, `exit ${code}; stderr:\n${err}`);
      const reading = JSON.parse(out) as AgentReading;
      assert.equal(reading.type, 'reading');
      assert.equal(reading.pid, child.pid);
      const version = node.name.replace('Node ', 'v');
      assert.ok(reading.nodeVersion.startsWith(`${version}.`), `${reading.nodeVersion} on ${node.name}`);
      assert.ok(reading.heapUsed > 0 && reading.heapLimit > reading.heapUsed);
      assert.match(err, /"msg":"heapwatch agent watching this process"/);
      assert.doesNotMatch(err, /"level":"error"/);
    });
  }
});
