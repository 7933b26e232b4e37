/**
 * When a reading still describes the app. The agent writes one per check interval; after
 * about 2.5 intervals without one (a missed check plus slack for a slow event loop) the app's
 * values are stale and are no longer exported, and heapwatch_agent_up drops to 0.
 */
export const FRESHNESS_INTERVALS = 2.5;

export function isFresh(receivedAtMs: number | undefined, nowMs: number, checkIntervalSeconds: number): boolean {
  return receivedAtMs !== undefined && nowMs - receivedAtMs <= FRESHNESS_INTERVALS * checkIntervalSeconds * 1000;
}
