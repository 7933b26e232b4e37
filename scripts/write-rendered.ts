/**
 * How `npm run render` writes a folder (alerts/, dashboards/): rendering is the source of truth,
 * so the folder ends up holding exactly the files the renderer returns among those it owns. A file
 * it owns but no longer renders is removed; a file it does not own (alerts/README.md, the runbooks)
 * is never touched.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface RenderedFolder {
  /** The folder, e.g. <repo>/alerts. */
  readonly dir: string;
  /** Path relative to `dir` (with '/') -> text. */
  readonly files: Readonly<Record<string, string>>;
  /** Whether the renderer owns a path relative to `dir`: generated, so removed once no longer rendered. */
  readonly owns: (rel: string) => boolean;
}

export interface RenderResult {
  readonly written: string[];
  readonly removed: string[];
}

export function writeRendered(folder: RenderedFolder): RenderResult {
  const unowned = Object.keys(folder.files).filter((rel) => !folder.owns(rel));
  if (unowned.length > 0) throw new Error(`the renderer returns files it does not own, so it could never remove them: ${unowned.join(', ')}`);
  mkdirSync(folder.dir, { recursive: true });
  const removed = filesUnder(folder.dir).filter((rel) => folder.owns(rel) && !(rel in folder.files));
  for (const rel of removed) rmSync(join(folder.dir, rel));
  for (const [rel, text] of Object.entries(folder.files)) {
    mkdirSync(dirname(join(folder.dir, rel)), { recursive: true });
    writeFileSync(join(folder.dir, rel), text);
  }
  return { written: Object.keys(folder.files), removed };
}

/** What a render did, a line per removed file and one for the written ones; `name` is the folder as the user sees it (alerts). */
export function describeRender(name: string, result: RenderResult): string {
  return [
    ...result.removed.map((rel) => `removed ${name}/${rel} (no longer rendered)`),
    `wrote ${result.written.map((rel) => `${name}/${rel}`).join(', ')}`,
  ].join('\n');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}
