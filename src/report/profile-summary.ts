/**
 * `heapwatch report FILE.heapprofile`: the code locations whose allocations are still live,
 * most bytes first, each with the stack that called it. The stack matters: V8 attributes an
 * allocation in an inlined function to its caller, so the leaf name alone can mislead.
 */
import { describeFrame } from './code-location';
import type { CallFrame, HeapProfile, ProfileNode } from './heap-profile';
import { formatBytes, formatCount, formatShare } from './text-layout';

/** Callers shown under each site. */
const STACK_DEPTH = 4;

export interface AllocationSite {
  /** `function (file:line)`. */
  readonly site: string;
  readonly bytes: number;
  /** The callers of the site's heaviest stack, nearest first, at most STACK_DEPTH. */
  readonly stack: string[];
  /** Frames above those (not shown). */
  readonly moreFrames: number;
  /** Other distinct stacks that reach this site, and their bytes. */
  readonly otherStacks: number;
  readonly otherStacksBytes: number;
}

export interface ProfileSummary {
  readonly totalBytes: number;
  readonly samples: number;
  readonly sites: AllocationSite[];
}

interface Visited {
  readonly node: ProfileNode;
  readonly parent?: Visited;
}

export function summarizeProfile(profile: HeapProfile, top: number, cwd?: string): ProfileSummary {
  const bySite = new Map<string, Visited[]>();
  let totalBytes = 0;
  const pending: Visited[] = [{ node: profile.head }];
  while (pending.length > 0) {
    const visit = pending.pop()!;
    for (const child of visit.node.children) pending.push({ node: child, parent: visit });
    if (visit.node.selfSize <= 0) continue;
    totalBytes += visit.node.selfSize;
    const key = siteKey(visit.node.callFrame);
    const visits = bySite.get(key);
    if (visits) visits.push(visit);
    else bySite.set(key, [visit]);
  }
  const sites = [...bySite.values()].map((visits) => {
    visits.sort((a, b) => b.node.selfSize - a.node.selfSize);
    const bytes = visits.reduce((sum, v) => sum + v.node.selfSize, 0);
    const callers = callerFrames(visits[0]).map((f) => describeFrame(f, cwd));
    return {
      site: describeFrame(visits[0].node.callFrame, cwd),
      bytes,
      stack: callers.slice(0, STACK_DEPTH),
      moreFrames: Math.max(0, callers.length - STACK_DEPTH),
      otherStacks: visits.length - 1,
      otherStacksBytes: bytes - visits[0].node.selfSize,
    };
  });
  sites.sort((a, b) => b.bytes - a.bytes);
  return { totalBytes, samples: profile.samples.length, sites: sites.slice(0, top) };
}

function siteKey(f: CallFrame): string {
  return [f.functionName, f.url, f.lineNumber, f.columnNumber].join('\u0000');
}

/** The callers of a node, nearest first, without the tree's root and frames that name nothing. */
function callerFrames(visit: Visited): CallFrame[] {
  const frames: CallFrame[] = [];
  for (let v = visit.parent; v?.parent !== undefined; v = v.parent) {
    const f = v.node.callFrame;
    if (f.functionName || f.url) frames.push(f);
  }
  return frames;
}

export function renderProfileSummary(file: string, s: ProfileSummary): string {
  const lines = [
    `sampling heap profile ${file}: ${formatBytes(s.totalBytes)} of live allocations in ${formatCount(s.samples)} samples`,
    '',
    'Top live allocation sites (bytes still live; under each, its callers, nearest first)',
  ];
  if (s.sites.length === 0) lines.push('  none: the profile holds no live sampled allocation');
  const width = Math.max(0, ...s.sites.map((site) => formatBytes(site.bytes).length));
  s.sites.forEach((site, i) => {
    const rank = `${i + 1}.`.padStart(3);
    const lead = `  ${rank} ${formatBytes(site.bytes).padStart(width)}  ${formatShare(site.bytes, s.totalBytes).padStart(7)}  `;
    lines.push(`${lead}${site.site}`);
    const indent = ' '.repeat(lead.length);
    for (const caller of site.stack) lines.push(`${indent}<- ${caller}`);
    if (site.moreFrames > 0) lines.push(`${indent}<- ... ${site.moreFrames} more frames`);
    if (site.otherStacks > 0) lines.push(`${indent}and ${site.otherStacks} other stack${site.otherStacks > 1 ? 's' : ''} (${formatBytes(site.otherStacksBytes)})`);
  });
  return `${lines.join('\n')}\n`;
}
