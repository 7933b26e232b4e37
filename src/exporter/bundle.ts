/**
 * Bundles the sidecar into one file with esbuild: what the image ships, and what the tests
 * and the bench run (so what is measured is what ships). One file saves 4-10 MiB idle RSS
 * against loading node_modules (measured on Node 24: no per-module wrappers, no resolution).
 *
 *   node build/src/exporter/bundle.js [outfile]   # default dist/exporter/heapwatch-exporter.js
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Plugin } from 'esbuild';

/** The repository root, from both src/exporter (esbuild) and build/src/exporter (tsc output). */
export const REPO_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}build${path.sep}`) ? '../../..' : '../..');

/**
 * Node flags the sidecar runs with (the image's CMD; the tests and the bench use them too).
 * Measured idle RSS on Node 24 (bench/exporter.ts prints the no-flags figure beside them):
 * - --max-semi-space-size=1: start-up allocation otherwise grows the young generation to
 *   2 x 2 MiB and it stays there; the sidecar allocates ~100 KB per scrape, so 1 MiB
 *   semi-spaces only mean a few more (cheap) scavenges. About -1.5 MiB.
 * - --disable-optimizing-compilers: no TurboFan/Maglev (their threads' zones and code);
 *   the interpreter and the Sparkplug baseline stay, and so does WebAssembly. A sidecar
 *   that does ~1 ms of work per scrape gains nothing from optimized code. About -3 MiB.
 * (--lite-mode saves under 1 MiB more but disables WebAssembly, which Node's fetch needs.)
 */
export const EXPORTER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--disable-optimizing-compilers'];

/** Marks a resolve call made by one of the plugins below, so none of them re-enters. */
const INNER = 'heapwatch-inner-resolve';

export interface BundleOptions {
  /** Where to write the bundle. @default "<repo>/dist/exporter/heapwatch-exporter.js" */
  readonly outfile?: string;
  /** The entry point. @default "<repo>/src/exporter/main.ts" */
  readonly entry?: string;
}

export async function bundleExporter(options: BundleOptions = {}): Promise<string> {
  // Loaded lazily: esbuild is a build-time tool, never part of the shipped bundle.
  const esbuild = require('esbuild') as typeof import('esbuild');
  const outfile = path.resolve(options.outfile ?? path.join(REPO_ROOT, 'dist/exporter/heapwatch-exporter.js'));
  await esbuild.build({
    entryPoints: [options.entry ?? path.join(REPO_ROOT, 'src/exporter/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
    absWorkingDir: REPO_ROOT,
    // Some ESM-first dependencies call createRequire(import.meta.url); in a CommonJS bundle
    // import.meta is empty, so give them this file's URL.
    define: { 'import.meta.url': '__heapwatchImportMetaUrl' },
    banner: { js: "const __heapwatchImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
    plugins: [dedupePackages()],
  });
  return outfile;
}


/**
 * npm nests identical copies of a package under several dependents (express, accepts,
 * type-is and send each carry mime-types 3.0.2 and its 180 KB mime-db table). Bundled
 * as they are, each copy is loaded and parsed into the heap separately. This resolves every
 * package whose name and version were already seen to the first copy (what `npm dedupe`
 * would do), which is safe because the code is identical.
 */
function dedupePackages(): Plugin {
  return {
    name: 'heapwatch-dedupe-packages',
    setup(build) {
      const firstRoot = new Map<string, string>(); // "name@version" -> package root
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === INNER) return undefined;
        const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: INNER });
        if (r.errors.length > 0 || !r.path.includes(`${path.sep}node_modules${path.sep}`)) return r;
        const root = packageRoot(r.path);
        if (!root) return r;
        const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name?: string; version?: string };
        const key = `${pkg.name}@${pkg.version}`;
        const first = firstRoot.get(key);
        if (first === undefined) {
          firstRoot.set(key, root);
          return r;
        }
        return { ...r, path: path.join(first, path.relative(root, r.path)) };
      });
    },
  };
}

/** The folder holding the package.json of the package a resolved file belongs to. */
function packageRoot(file: string): string | undefined {
  const parts = file.split(`${path.sep}node_modules${path.sep}`);
  const rest = parts[parts.length - 1].split(path.sep);
  const depth = rest[0].startsWith('@') ? 2 : 1;
  const root = [...parts.slice(0, -1), rest.slice(0, depth).join(path.sep)].join(`${path.sep}node_modules${path.sep}`);
  return fs.existsSync(path.join(root, 'package.json')) ? root : undefined;
}

if (require.main === module) {
  bundleExporter({ outfile: process.argv[2] }).then(
    (out) => console.log(`bundled the exporter into ${out}`),
    (e: Error) => {
      console.error(`bundling the exporter failed: ${e.message}`);
      process.exit(1);
    },
  );
}
