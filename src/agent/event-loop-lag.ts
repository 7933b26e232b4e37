/** The p99 event-loop delay over each check interval (perf_hooks.monitorEventLoopDelay). */
import * as perfHooks from 'node:perf_hooks';

/**
 * Sampling period (ms). Every sample wakes the event loop, which on this project's VMs costs
 * ~50 us: 20 ms (50 wakeups/s) cost an idle app ~3 ms of CPU per second, more than all the
 * rest of the agent. 100 ms still gives >= 150 samples per 15 s interval for the p99, and a
 * blocked loop shows up whole in the tick it delays.
 */
export const EVENT_LOOP_RESOLUTION_MS = 100;

export class EventLoopLag {
  private histogram: ReturnType<typeof perfHooks.monitorEventLoopDelay> | null = null;

  /** False when the monitor does not work here (the readings then say 0). */
  start(): boolean {
    try {
      this.histogram = perfHooks.monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
      this.histogram.enable();
      return true;
    } catch {
      this.histogram = null;
      return false;
    }
  }

  /** The p99 since the last call, in seconds, and starts a new interval. */
  takeP99Seconds(): number {
    if (this.histogram === null) return 0;
    const p99 = this.histogram.percentile(99);
    this.histogram.reset();
    return Number.isFinite(p99) ? p99 / 1e9 : 0;
  }

  stop(): void {
    this.histogram?.disable();
  }
}
