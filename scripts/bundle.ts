/**
 * Bundles what heapwatch runs in a pod, each into one file with esbuild (authored as typed
 * modules, shipped as one file); what the image and the ConfigMap ship, and what the tests
 * and the benches run, so what is measured is what ships. Build tooling: it never ships.
 *
 * - The agent (src/agent/main.ts): `--require`d into the user's image, which has none of our
 *   packages, so Node built-ins only (the build fails on anything else), CommonJS, Node 20+,
 *   and not minified, so a stack trace in a user's log is readable.
 * - The sidecar (src/exporter/main.ts): minified, its npm packages deduplicated. One file saves
 *   4-10 MiB idle RSS against loading node_modules (measured on Node 24: no per-module
 *   wrappers, no resolution).
 *
 *   node build/scripts/bundle.js                                 # both, into build/bundles/
 *   node build/scripts/bundle.js --agent FILE --exporter FILE    # either or both, elsewhere
 */
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
import { BUNDLES_DIR } from '../src/app/shipped-code';
import { AGENT_FILE, EXPORTER_FILE } from '../src/contract';
import { REPO_ROOT } from '../test/support/repo-root';

/** Where `npm run build` writes the two bundles (never dist/: that holds only manifests), and the constructs read them. */
export { BUNDLES_DIR };
export const AGENT_BUNDLE = path.join(BUNDLES_DIR, AGENT_FILE);
export const EXPORTER_BUNDLE = path.join(BUNDLES_DIR, EXPORTER_FILE);

export interface BundleOptions {
  /** Where to write the bundle. @default - AGENT_BUNDLE or EXPORTER_BUNDLE */
  readonly outfile?: string;
  /** The entry point. @default - src/agent/main.ts or src/exporter/main.ts */
  readonly entry?: string;
}

/** Loaded lazily: esbuild is a build-time tool, never part of a shipped bundle. */
function esbuild(): typeof import('esbuild') {
  return require('esbuild') as typeof import('esbuild');
}

/** What both bundles share. */
const COMMON: BuildOptions = { bundle: true, platform: 'node', format: 'cjs', absWorkingDir: REPO_ROOT };

/**
 * The agent. Fails when anything but a Node built-in or a module of this repository outside
 * node_modules would be bundled or left external, or on any esbuild warning (a require() of a
 * computed name is one: it would be left for the user's image to resolve).
 */
export async function bundleAgent(options: BundleOptions = {}): Promise<string> {
  const outfile = path.resolve(options.outfile ?? AGENT_BUNDLE);
  const result = await esbuild().build({
    ...COMMON,
    entryPoints: [options.entry ?? path.join(REPO_ROOT, 'src/agent/main.ts')],
    outfile,
    target: 'node20',
    minify: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [nodeBuiltinsOnly()],
  });
  const problems = [
    ...result.warnings.map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`),
    ...agentBundleProblems(result.metafile, fs.readFileSync(outfile, 'utf8')),
  ];
  if (problems.length > 0) {
    fs.rmSync(outfile, { force: true });
    throw new Error(`the agent bundle must need nothing but Node built-ins:\n- ${problems.join('\n- ')}`);
  }
  return outfile;
}

/**
 * Inputs outside the repository's own sources, external imports that are not Node built-ins,
 * and require() calls esbuild left as they are because their argument is computed.
 */
export function agentBundleProblems(metafile: Metafile, code: string): string[] {
  const problems: string[] = [];
  for (const input of Object.keys(metafile.inputs)) {
    if (input.split(/[\\/]/).includes('node_modules') || !(input.startsWith('src/') || input.startsWith('test/'))) problems.push(`bundles ${input}`);
  }
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) if (!isBuiltin(imp.path)) problems.push(`leaves ${imp.path} to be resolved at run time`);
  }
  for (const m of code.matchAll(/\brequire\s*\(([^)]*)\)/g)) {
    const name = /^\s*"([^"]+)"\s*$/.exec(m[1])?.[1];
    if (name === undefined || !isBuiltin(name)) problems.push(`leaves require(${m[1]}) to be resolved at run time`);
  }
  return problems;
}

/** Resolves Node built-ins as external and refuses every other package name. */
function nodeBuiltinsOnly(): Plugin {
  return {
    name: 'heapwatch-node-builtins-only',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        return { errors: [{ text: `"${args.path}" is not a Node built-in (imported by ${path.relative(REPO_ROOT, args.importer)})` }] };
      });
    },
  };
}

/** Marks a resolve call made by one of the plugins below, so none of them re-enters. */
const INNER = 'heapwatch-inner-resolve';

export async function bundleExporter(options: BundleOptions = {}): Promise<string> {
  const outfile = path.resolve(options.outfile ?? EXPORTER_BUNDLE);
  await esbuild().build({
    ...COMMON,
    entryPoints: [options.entry ?? path.join(REPO_ROOT, 'src/exporter/main.ts')],
    outfile,
    target: 'node24',
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
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

/** `--agent FILE` and `--exporter FILE`; with neither, both into BUNDLES_DIR. */
function parseArgs(argv: readonly string[]): { agent?: string; exporter?: string } {
  const out: { agent?: string; exporter?: string } = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const file = argv[i + 1];
    if ((flag !== '--agent' && flag !== '--exporter') || file === undefined) {
      throw new Error(`usage: bundle.js [--agent FILE] [--exporter FILE] (got ${JSON.stringify(argv.join(' '))})`);
    }
    out[flag === '--agent' ? 'agent' : 'exporter'] = file;
  }
  return argv.length === 0 ? { agent: AGENT_BUNDLE, exporter: EXPORTER_BUNDLE } : out;
}

async function cli(argv: readonly string[]): Promise<void> {
  const wanted = parseArgs(argv);
  const [agent, exporter] = await Promise.all([
    wanted.agent === undefined ? undefined : bundleAgent({ outfile: wanted.agent }),
    wanted.exporter === undefined ? undefined : bundleExporter({ outfile: wanted.exporter }),
  ]);
  for (const [what, file] of [['agent', agent], ['exporter', exporter]]) if (file !== undefined) console.log(`bundled the ${what} into ${path.relative(process.cwd(), file)}`);
}

if (require.main === module) {
  cli(process.argv.slice(2)).catch((e: Error) => {
    console.error(`bundling failed: ${e.message}`);
    process.exit(1);
  });
}
