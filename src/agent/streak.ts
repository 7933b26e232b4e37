/**
 * The streak and the liveness decision, as a pure state machine: no clock, no heap, no I/O.
 * The check feeds it one result per check; it says what to log and whether /livez fails.
 */

export interface StreakSettings {
  readonly streakAlertChecks: number;
  /** 0: /livez never fails. */
  readonly livenessFailChecks: number;
  readonly startupGraceSeconds: number;
}

/** What a check's result means for the log. */
export type StreakEvent =
  /** The first high check of a streak. */
  | 'went-high'
  /**
   * The streak reached the alert count, or grew by that many checks again: the "restart recommended"
   * log line, worded like the memory monitors it replaces so existing log searches keep matching.
   */
  | 'persistent'
  /** Back under the threshold after at least the alert count of high checks. */
  | 'recovered';

/** How the liveness decision changed at this check. */
export type LivenessChange = 'started-failing' | 'passing-again' | null;

export class Streak {
  /** Consecutive high checks. */
  streak = 0;
  /** Checks run. */
  checks = 0;
  /** True while /livez should answer 503. */
  livenessFailing = false;
  /** The streak before the last check, for the recovery message. */
  previous = 0;

  constructor(private readonly settings: StreakSettings) {}

  /** The streak at which /livez fails (0: never). */
  get failChecks(): number {
    return this.settings.livenessFailChecks;
  }

  /** One check: grows the streak when `high`, else resets it. Returns what to log. */
  record(high: boolean): StreakEvent[] {
    this.checks++;
    this.previous = this.streak;
    this.streak = high ? this.streak + 1 : 0;
    const alertAt = this.settings.streakAlertChecks;
    const events: StreakEvent[] = [];
    if (this.streak === 1) events.push('went-high');
    if (this.streak >= alertAt && (this.streak - alertAt) % alertAt === 0) events.push('persistent');
    if (this.streak === 0 && this.previous >= alertAt) events.push('recovered');
    return events;
  }

  /**
   * Whether this check's result can start failing /livez: the streak has reached the count, the
   * start-up grace is over and /livez passes.
   */
  mayStartFailing(uptimeSeconds: number): boolean {
    return this.atFailCount(uptimeSeconds) && !this.livenessFailing;
  }

  /**
   * After the check (and its full GC, forced or V8's own): /livez fails only when the streak has
   * reached the count, the heap is still high after the GC, and the start-up grace is over.
   */
  decideLiveness(stillHigh: boolean, uptimeSeconds: number): LivenessChange {
    const fail = stillHigh && this.atFailCount(uptimeSeconds);
    const change: LivenessChange = fail && !this.livenessFailing ? 'started-failing' : !fail && this.livenessFailing ? 'passing-again' : null;
    this.livenessFailing = fail;
    return change;
  }

  /** The streak has reached the liveness count (which is set) and the start-up grace is over. */
  private atFailCount(uptimeSeconds: number): boolean {
    const failAt = this.settings.livenessFailChecks;
    return failAt > 0 && this.streak >= failAt && uptimeSeconds >= this.settings.startupGraceSeconds;
  }
}

/**
 * Replicas that started together and take the same traffic leak at the same rate, so their
 * streaks reach the liveness count in the same check, and the kubelet would restart them
 * together (a PodDisruptionBudget does not cover liveness restarts). So each pod fails /livez
 * a few start-up times later than the count: its name (stable across container restarts)
 * picks one of LIVENESS_SPREAD_SLOTS slots, and slot k adds k * slotChecks checks, where
 * slotChecks = floor(startupGraceSeconds / checkIntervalSeconds) + 1, so two slots are more
 * than one start-up time apart. Pods in different slots never restart inside one start-up
 * time; with hashed names, three replicas all share a slot with probability 1 / SLOTS^2.
 */
export const LIVENESS_SPREAD_SLOTS = 4;

export interface LivenessSpread {
  /** The slot the pod's name picks, 0 to LIVENESS_SPREAD_SLOTS - 1 (0 without a name). */
  readonly slot: number;
  /** Checks per slot: just over one start-up time. */
  readonly slotChecks: number;
  /** Checks added to the liveness count: slot * slotChecks (0 when liveness failures are off). */
  readonly extraChecks: number;
}

export function livenessSpread(podName: string | null, s: StreakSettings & { readonly checkIntervalSeconds: number }): LivenessSpread {
  const slotChecks = Math.floor(s.startupGraceSeconds / s.checkIntervalSeconds) + 1;
  const slot = podName ? fnv1a(podName) % LIVENESS_SPREAD_SLOTS : 0;
  return { slot, slotChecks, extraChecks: s.livenessFailChecks > 0 ? slot * slotChecks : 0 };
}

/** 32-bit FNV-1a: small, stable everywhere, and spreads similar names (pod-abc12, pod-abc13) apart. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
