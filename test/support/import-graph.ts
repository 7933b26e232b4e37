/**
 * Follows a file's imports through the repository's own modules (.ts and .js, read as text) and
 * reports every package it reaches, with the chain of files that leads there. The unit tier's
 * guard (test/unit-tier.unit.test.ts) uses it to keep child processes and the Debian tools out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** import ... from 'x', export ... from 'x', import 'x', require('x'), import('x'). */
const SPECIFIERS = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\b(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

export function specifiersOf(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of SPECIFIERS) for (const m of source.matchAll(pattern)) found.add(m[1]);
  return [...found];
}

/** The repository file a relative specifier names, the way TypeScript and Node resolve it here. */
function resolveLocal(fromFile: string, specifier: string): string {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [`${base}.ts`, base, `${base}.js`, path.join(base, 'index.ts')];
  const file = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (file === undefined) throw new Error(`${fromFile} imports ${specifier}, which resolves to no file (tried ${candidates.join(', ')})`);
  return file;
}

export interface Reached {
  /** A package or built-in ('node:' dropped, 'child_process'), or a repository file relative to the root. */
  readonly target: string;
  /** The files from the start to the one that imports `target`, relative to the root. */
  readonly chain: readonly string[];
}

/** Everything `start` reaches: each repository file once (the first chain found) and each package import. */
export function reachedFrom(root: string, start: string): Reached[] {
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const reached: Reached[] = [];
  const seen = new Set<string>([start]);
  const queue: Array<{ file: string; chain: string[] }> = [{ file: start, chain: [rel(start)] }];
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!;
    if (file.endsWith('.json')) continue;
    for (const specifier of specifiersOf(fs.readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) {
        reached.push({ target: specifier.replace(/^node:/, ''), chain });
        continue;
      }
      const next = resolveLocal(file, specifier);
      if (seen.has(next)) continue;
      seen.add(next);
      reached.push({ target: rel(next), chain });
      queue.push({ file: next, chain: [...chain, rel(next)] });
    }
  }
  return reached;
}
