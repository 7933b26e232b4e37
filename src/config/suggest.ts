/**
 * "Did you mean" for an unknown config key at `path` in an object shaped like `shape`: the full
 * path of the field a typo most likely meant, by edit distance (a swap of two neighbours counts
 * as one edit, so `hihgRatio` is one from `highRatio`), or undefined when nothing is close.
 */
export function suggestField(shape: Record<string, unknown>, path: string, key: string): string | undefined {
  const at = (...keys: string[]) => [path, ...keys].filter(Boolean).join('.');
  const sibling = closestKey(key, Object.keys(shape));
  if (sibling) return at(sibling);
  // A right name one level off: `app.memoryLimit` for `app.resources.memoryLimit`.
  for (const [child, value] of Object.entries(shape)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const nested = closestKey(key, Object.keys(value));
    if (nested) return at(child, nested);
  }
  return undefined;
}

/** The known key nearest to `key`, if it is within two edits (one for short keys). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const limit = lower.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
