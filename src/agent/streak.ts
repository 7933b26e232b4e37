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
  /** The streak reached the alert count, or grew by that many checks again: the origin plan's message. */
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
   * After the check (and its forced GC, where one ran): /livez fails only when the streak has
   * reached the count, the heap is still high after the GC, and the start-up grace is over.
   */
  decideLiveness(stillHigh: boolean, uptimeSeconds: number): LivenessChange {
    const failAt = this.settings.livenessFailChecks;
    const fail = failAt > 0 && this.streak >= failAt && stillHigh && uptimeSeconds >= this.settings.startupGraceSeconds;
    const change: LivenessChange = fail && !this.livenessFailing ? 'started-failing' : !fail && this.livenessFailing ? 'passing-again' : null;
    this.livenessFailing = fail;
    return change;
  }
}
