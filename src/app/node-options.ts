import { derive, MetricsSource, requireResolved, ResolvedConfig } from '../config';
import { agentPath } from './code-delivery';

/**
 * The app container's NODE_OPTIONS: the user's own options first (kept as given), then the
 * agent's --require and the V8 old-space and semi-space sizes derived from the container's
 * memory limit.
 * Derived, never hand-set: a heap limit above the container limit means the kernel's OOM
 * killer strikes before V8 can report anything.
 */
export function nodeOptions(c: ResolvedConfig): string {
  requireResolved(c, 'nodeOptions()');
  const parts = [c.app.nodeOptions.trim()];
  if (c.exporter.source === MetricsSource.AGENT) parts.push(`--require ${agentPath(c)}`);
  const d = derive(c);
  // Both derived: V8 counts three semi-spaces into heap_size_limit, the ratio's denominator.
  parts.push(`--max-old-space-size=${d.maxOldSpaceSizeMiB}`, `--max-semi-space-size=${d.maxSemiSpaceSizeMiB}`);
  if (c.app.exposeGc) parts.push('--expose-gc');
  return parts.filter((p) => p !== '').join(' ');
}
