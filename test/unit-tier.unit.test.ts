/**
 * The unit tier is every test file named *.unit.test.ts, run alone by `npm run test:unit`: no
 * Debian tool and no child process, so it takes seconds. This guard follows each unit-tier
 * file's imports through the repository and fails when one reaches a child process (child_process,
 * cluster, esbuild, which starts its own binary), the Debian tools (test/support/tools.ts) or the
 * demo harness (test/harness/). Such a test belongs in the full tier: drop `.unit` from its name.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { reachedFrom } from './support/import-graph';
import { REPO_ROOT } from './support/repo-root';

/** What keeps a module out of the unit tier, and why. */
const FORBIDDEN: ReadonlyArray<{ readonly matches: (target: string) => boolean; readonly why: string }> = [
  { matches: (t) => t === 'child_process', why: 'starts child processes' },
  { matches: (t) => t === 'cluster', why: 'forks worker processes' },
  { matches: (t) => t === 'esbuild' || t.startsWith('esbuild/'), why: 'starts the esbuild binary' },
  { matches: (t) => t === 'test/support/tools.ts', why: 'runs the Debian tools' },
  { matches: (t) => t.startsWith('test/harness/'), why: 'is the demo / end-to-end harness' },
];

/** Every *.unit.test.ts under `root`/test, relative to `root`. */
function unitTierFiles(root: string): string[] {
  return readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.unit.test.ts'))
    .map((f) => `test/${f.split('\\').join('/')}`)
    .sort();
}

/** One line per forbidden module a unit-tier file reaches. */
function violations(root: string): string[] {
  const out: string[] = [];
  for (const file of unitTierFiles(root)) {
    for (const { target, chain } of reachedFrom(root, join(root, file))) {
      const rule = FORBIDDEN.find((f) => f.matches(target));
      if (rule) out.push(`${chain.join(' -> ')} imports ${target}, which ${rule.why}`);
    }
  }
  return out;
}

describe('the unit tier (*.unit.test.ts)', () => {
  it('reaches no child process, no Debian tool and no harness, through any import', () => {
    const files = unitTierFiles(REPO_ROOT);
    assert.ok(files.length >= 15, `expected the config, rules, dashboard, synth and unit tests in the unit tier, found: ${files.join(', ')}`);
    assert.deepEqual(violations(REPO_ROOT), [], 'these belong in the full tier (name them *.test.ts, without .unit)');
  });

  it('follows the imports for real: the unit tier reaches src/config, cdk8s and the test support it uses', () => {
    const targets = new Set(unitTierFiles(REPO_ROOT).flatMap((f) => reachedFrom(REPO_ROOT, join(REPO_ROOT, f)).map((r) => r.target)));
    for (const expected of ['src/config/index.ts', 'src/config/validate.ts', 'cdk8s', 'test/support/k8s-policy.ts', 'test/support/repo-root.ts']) {
      assert.ok(targets.has(expected), `${expected} not reached`);
    }
  });

  describe('on a made-up repository', () => {
    const root = mkdtempSync(join(tmpdir(), 'heapwatch-unit-tier-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    // «» stand for quotes, so this file's own imports are only its real ones.
    const write = (rel: string, text: string) => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text.replace(/[«»]/g, "'"));
    };
    write('src/pure.ts', "import * as fs from «node:fs»;\nexport const x = fs;\n");
    write('src/runs.ts', "import {\n  spawnSync,\n} from «node:child_process»;\nexport const y = spawnSync;\n");
    write('test/support/tools.ts', "export const tools = 1;\n");
    write('test/harness/stack.js', "module.exports = require(«../support/tools»);\n");
    write('test/a/pure.unit.test.ts', "import { x } from «../../src/pure»;\nvoid x;\n");

    it('passes a file that reaches only pure modules', () => {
      assert.deepEqual(violations(root), []);
    });

    it('fails if a unit-tier file reaches child_process, esbuild, the tools module or the harness, however deep, naming the chain', () => {
      write('test/a/spawns.unit.test.ts', "export * from «../../src/runs»;\n");
      write('test/a/bundles.unit.test.ts', "const esbuild = require(«esbuild»);\nvoid esbuild;\n");
      write('test/a/demo.unit.test.ts', "import «../harness/stack»;\n");
      write('test/a/tools.unit.test.ts', "import type { tools } from «../support/tools»;\nconst later = () => import(«../../src/runs»);\n");
      try {
        assert.deepEqual(violations(root), [
          'test/a/bundles.unit.test.ts imports esbuild, which starts the esbuild binary',
          'test/a/demo.unit.test.ts imports test/harness/stack.js, which is the demo / end-to-end harness',
          'test/a/demo.unit.test.ts -> test/harness/stack.js imports test/support/tools.ts, which runs the Debian tools',
          'test/a/spawns.unit.test.ts -> src/runs.ts imports child_process, which starts child processes',
          'test/a/tools.unit.test.ts imports test/support/tools.ts, which runs the Debian tools',
          'test/a/tools.unit.test.ts -> src/runs.ts imports child_process, which starts child processes',
        ]);
      } finally {
        for (const f of ['spawns', 'bundles', 'demo', 'tools']) rmSync(join(root, `test/a/${f}.unit.test.ts`));
      }
    });

    it('fails if an import resolves to no file (a typo must not hide a module)', () => {
      write('test/a/typo.unit.test.ts', "import { x } from «../../src/pur»;\n");
      try {
        assert.throws(() => violations(root), /test\/a\/typo\.unit\.test\.ts imports \.\.\/\.\.\/src\/pur, which resolves to no file/);
      } finally {
        rmSync(join(root, 'test/a/typo.unit.test.ts'));
      }
    });
  });
});
