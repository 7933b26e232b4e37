/**
 * Follows Prometheus's alerts (/api/v1/alerts) and records each episode of each alert:
 * when it was first seen pending, first seen firing, and when it was gone again, so the
 * timeline and the latency checks use what Prometheus actually reported.
 */
import { PollingLoop } from './background-loop';

export interface AlertEpisode {
  readonly alertname: string;
  readonly labels: Record<string, string>;
  /** Prometheus's activeAt (when the condition became true), epoch ms. */
  activeAt: number;
  pendingSeenAt?: number;
  firingSeenAt?: number;
  /** When the alert was first seen gone (resolved), epoch ms. */
  endedSeenAt?: number;
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

export class AlertWatcher extends PollingLoop {
  readonly episodes: AlertEpisode[] = [];
  private readonly open = new Map<string, AlertEpisode>();

  constructor(private readonly fetchAlerts: () => Promise<PromAlert[]>, intervalMs = 200) {
    super(intervalMs);
  }

  /** Episodes of one alert, oldest first. */
  of(alertname: string): AlertEpisode[] {
    return this.episodes.filter((e) => e.alertname === alertname);
  }

  /** The first episode of `alertname` that fired at or after `since`. */
  firedSince(alertname: string, since: number): AlertEpisode | undefined {
    return this.of(alertname).find((e) => e.firingSeenAt !== undefined && e.firingSeenAt >= since);
  }

  protected async tick(at: number): Promise<void> {
    try {
      this.observe(at, await this.fetchAlerts());
    } catch {
      // Prometheus restarting or busy: the next poll catches up.
    }
  }

  private observe(at: number, alerts: PromAlert[]): void {
    const seen = new Set<string>();
    for (const a of alerts) {
      const key = JSON.stringify(Object.entries(a.labels).sort());
      seen.add(key);
      let e = this.open.get(key);
      if (!e) {
        e = { alertname: a.labels.alertname, labels: a.labels, activeAt: Date.parse(a.activeAt) };
        this.open.set(key, e);
        this.episodes.push(e);
      }
      if (a.state === 'pending' && e.pendingSeenAt === undefined) e.pendingSeenAt = at;
      if (a.state === 'firing' && e.firingSeenAt === undefined) e.firingSeenAt = at;
    }
    for (const [key, e] of this.open) {
      if (seen.has(key)) continue;
      e.endedSeenAt = at;
      this.open.delete(key);
    }
  }
}
