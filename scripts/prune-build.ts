/**
 * The second half of `npm run build`: tsc never deletes an output, so a test that was moved or
 * deleted would still run from build/test. This removes every compiled .js in build/ whose .ts
 * source is gone (and the folders that leaves empty). Outputs with a source, build/.tsbuildinfo and
 * build/bundles (the bundler's output, which has no .ts of its own) stay as they are, so the next
 * tsc run is still incremental.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../test/support/repo-root';

/** Removes the orphaned .js files under `buildDir` (the outDir of `root`'s tsconfig); returns them relative to `root`. */
export function pruneBuild(root: string, buildDir = path.join(root, 'build')): string[] {
  const removed: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (file === path.join(buildDir, 'bundles')) continue;
        visit(file);
        if (fs.readdirSync(file).length === 0) fs.rmdirSync(file);
      } else if (entry.name.endsWith('.js')) {
        const source = path.join(root, path.relative(buildDir, file)).replace(/\.js$/, '.ts');
        if (fs.existsSync(source)) continue;
        fs.rmSync(file);
        removed.push(path.relative(root, file));
      }
    }
  };
  if (fs.existsSync(buildDir)) visit(buildDir);
  return removed;
}

if (require.main === module) {
  for (const file of pruneBuild(REPO_ROOT)) console.log(`prune-build: removed ${file} (its .ts source is gone)`);
}
