/**
 * The top live allocation sites of a sampling heap profile (Chrome DevTools' .heapprofile
 * shape): the live sampled bytes by the code that allocated them, as the reading carries them.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALLOCATION_SITES, AllocationSite } from '../contract';

/** V8's inspector types (HeapProfiler.SamplingHeapProfile), the parts read here. */
export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  /** 0-based, of the function's start. */
  readonly lineNumber: number;
}
export interface ProfileNode {
  readonly callFrame: CallFrame;
  /** Sampled bytes allocated by this frame itself and still live. */
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}
export interface SamplingHeapProfile {
  readonly head: ProfileNode;
  readonly samples: readonly unknown[];
}

const isInternal = (url: string) => url === '' || url.startsWith('node:') || !(url.startsWith('/') || url.startsWith('file:') || /^[A-Za-z]:[\\/]/.test(url));
const isDependency = (url: string) => /[\\/]node_modules[\\/]/.test(url);

/**
 * The frame a site is named after: the deepest frame in the app's own code. Not the leaf:
 * the leaf is often a Node internal (Buffer.alloc, a stream's push) or a dependency, which
 * says nothing about whose code keeps the memory; and V8 attributes an allocation inside an
 * inlined function to its caller, so only the caller's file:line with the stack above it is
 * reliable. Falls back to the deepest dependency frame, then to the leaf itself.
 */
export function siteFrame(stack: readonly CallFrame[]): CallFrame {
  for (let i = stack.length - 1; i >= 0; i--) if (!isInternal(stack[i].url) && !isDependency(stack[i].url)) return stack[i];
  for (let i = stack.length - 1; i >= 0; i--) if (!isInternal(stack[i].url)) return stack[i];
  return stack[stack.length - 1];
}

/** At most ALLOCATION_SITES.labelMaxChars; a location keeps its end (file name and line). */
function bound(text: string, keepEnd: boolean): string {
  const max = ALLOCATION_SITES.labelMaxChars;
  if (text.length <= max) return text;
  return keepEnd ? '…' + text.slice(text.length - max + 1) : text.slice(0, max - 1) + '…';
}

/** file:line (1-based), the file relative to `cwd` when it is under it. */
export function siteLocation(frame: CallFrame, cwd: string): string {
  if (frame.url === '') return '(native)';
  let file = frame.url;
  if (file.startsWith('file:')) {
    try {
      file = fileURLToPath(file);
    } catch {
      // Keep the URL as it is.
    }
  }
  if (path.isAbsolute(file)) {
    const rel = path.relative(cwd, file);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) file = rel.split(path.sep).join('/');
  }
  return bound(`${file}:${frame.lineNumber + 1}`, true);
}

export interface TopSites {
  readonly sites: AllocationSite[];
  /** All sampled live bytes. */
  readonly sampledBytes: number;
}

/** The top `max` sites by sampled live bytes, largest first, with each one's share of the sampled total. */
export function topSites(profile: SamplingHeapProfile, cwd: string, max: number = ALLOCATION_SITES.max): TopSites {
  const bytes = new Map<string, { function: string; location: string; bytes: number }>();
  let total = 0;
  const stack: CallFrame[] = [];
  const walk = (node: ProfileNode) => {
    stack.push(node.callFrame);
    if (node.selfSize > 0) {
      total += node.selfSize;
      const frame = siteFrame(stack);
      const fn = bound(frame.functionName === '' ? '(anonymous)' : frame.functionName, false);
      const location = siteLocation(frame, cwd);
      const key = `${fn}\n${location}`;
      const site = bytes.get(key) ?? { function: fn, location, bytes: 0 };
      site.bytes += node.selfSize;
      bytes.set(key, site);
    }
    for (const child of node.children) walk(child);
    stack.pop();
  };
  walk(profile.head);
  const sites = [...bytes.values()]
    .sort((a, b) => b.bytes - a.bytes || a.location.localeCompare(b.location))
    .slice(0, max)
    .map((s) => ({ ...s, share: total > 0 ? Math.round((s.bytes / total) * 10000) / 10000 : 0 }));
  return { sites, sampledBytes: total };
}
