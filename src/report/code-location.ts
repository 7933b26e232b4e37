/**
 * How a report names code: `function (file:line)`, 1-based line, the file relative to the
 * app's working directory when one is given (`--cwd /app`), so that an inlined function is
 * still recognisable by where it is, not only by a leaf name.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallFrame } from './heap-profile';

export function describeFrame(frame: CallFrame, cwd?: string): string {
  const name = frame.functionName || '(anonymous)';
  // No script: V8's own entries ("(root)", "(GC)") or a builtin such as Map's set.
  if (!frame.url) return name.startsWith('(') ? name : `${name} (native)`;
  const line = frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : '';
  return `${name} (${displayPath(frame.url, cwd)}${line})`;
}

/** A script url as a path: file:// urls become paths, paths under `cwd` become relative, the rest stay. */
export function displayPath(url: string, cwd?: string): string {
  let file = url;
  if (url.startsWith('file://')) {
    try { file = fileURLToPath(url); } catch { return url; }
  }
  if (cwd && path.isAbsolute(file)) {
    const relative = path.relative(cwd, file);
    if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) return relative;
  }
  return file;
}
