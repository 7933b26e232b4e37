/**
 * Chrome DevTools' .heapprofile: V8's sampling heap profile (HeapProfiler.getSamplingProfile),
 * a tree of call frames with the bytes sampled in each, still live when it was taken.
 * @see https://chromedevtools.github.io/devtools-protocol/v8/HeapProfiler/#type-SamplingHeapProfile
 */
import * as fs from 'node:fs';
import { ReportInputError } from './input';

/** Runtime.CallFrame; lineNumber and columnNumber are 0-based, -1 when V8 has no position. */
export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
  readonly scriptId: string;
}

export interface ProfileNode {
  readonly callFrame: CallFrame;
  /** Bytes sampled in this frame itself (not its callees). */
  readonly selfSize: number;
  readonly id: number;
  readonly children: readonly ProfileNode[];
}

export interface HeapProfile {
  readonly head: ProfileNode;
  readonly samples: readonly { readonly size: number; readonly nodeId: number; readonly ordinal: number }[];
}

/** Reads and checks a .heapprofile; every shape problem is a ReportInputError naming the file and the path in it. */
export function loadProfile(file: string): HeapProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ReportInputError(file, `is not a readable sampling heap profile (${(err as Error).message})`);
  }
  const problems: string[] = [];
  const profile = parsed as HeapProfile;
  if (!Array.isArray(profile.samples)) problems.push('"samples" is not an array');
  checkNode(profile.head, 'head', problems);
  if (problems.length > 0) {
    throw new ReportInputError(file, `is not a sampling heap profile: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
  }
  return profile;
}

function checkNode(root: unknown, rootPath: string, problems: string[]): void {
  // Iterative: a deep recursion in the profiled app must not overflow the report's stack.
  const pending: [unknown, string][] = [[root, rootPath]];
  while (pending.length > 0 && problems.length <= 5) {
    const [node, path] = pending.pop()!;
    const n = node as ProfileNode;
    if (typeof n !== 'object' || n === null) { problems.push(`${path} is not a profile node`); continue; }
    const f = n.callFrame;
    if (typeof f !== 'object' || f === null || typeof f.functionName !== 'string' || typeof f.url !== 'string' || typeof f.lineNumber !== 'number') {
      problems.push(`${path}.callFrame lacks functionName, url or lineNumber`);
    }
    if (typeof n.selfSize !== 'number' || n.selfSize < 0) problems.push(`${path}.selfSize is not a byte count`);
    if (!Array.isArray(n.children)) { problems.push(`${path}.children is not an array`); continue; }
    n.children.forEach((c, i) => pending.push([c, `${path}.children[${i}]`]));
  }
}
