/**
 * Where V8's "Ineffective mark-compacts near heap limit" rule can apply: V8 counts a full GC as
 * ineffective only when the old generation it leaves is at least 80 % of the old-space limit.
 * A heap whose whole used size (old and young: a full GC can promote all of the young) is under
 * NEAR_LIMIT_SHARE of that limit cannot be counted so, and a forced GC needs no care there.
 */

/** Under V8's 80 %, for the heap the app allocates between the check's sample and its GC. */
export const NEAR_LIMIT_SHARE = 0.7;

/**
 * The old-space limit in bytes from the last --max-old-space-size (or --max_old_space_size) on
 * the command line or in NODE_OPTIONS (those come first; the command line wins), or null when
 * none is set: then V8 picked it, and every heap counts as near it.
 */
export function maxOldSpaceBytes(execArgv: readonly string[], nodeOptions: string | undefined): number | null {
  let mib: number | null = null;
  for (const arg of [...(nodeOptions ?? '').split(/\s+/), ...execArgv]) {
    const m = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(arg);
    if (m) mib = Number(m[1]);
  }
  return mib !== null && mib > 0 ? mib * 1024 * 1024 : null;
}

/** Whether `heapUsed` bytes in use may leave a full GC's old generation in V8's danger zone. */
export function nearOldSpaceLimit(heapUsed: number, maxOldBytes: number | null): boolean {
  return maxOldBytes === null || heapUsed >= NEAR_LIMIT_SHARE * maxOldBytes;
}
