/**
 * Watches the app's heap from outside, the way the kubelet sees it: polls the agent's /livez
 * (status, ratio, streak) a few times per check interval and keeps every answer, so the
 * moments a threshold was crossed and a streak reached are measured, not assumed.
 */
import { PollingLoop } from './background-loop';

export interface HeapSample {
  readonly at: number;
  /** /livez status: "ok", "failing", "disabled", or "down" when nothing answered. */
  readonly status: string;
  readonly ratio?: number;
  readonly streak?: number;
}

export class HeapSampler extends PollingLoop {
  readonly samples: HeapSample[] = [];

  constructor(private readonly livezUrl: string, intervalMs = 200) {
    super(intervalMs);
  }

  /** The first sample at or after `since` that matches. */
  first(since: number, match: (s: HeapSample) => boolean): HeapSample | undefined {
    return this.samples.find((s) => s.at >= since && match(s));
  }

  last(): HeapSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  protected async tick(at: number): Promise<void> {
    try {
      const res = await fetch(this.livezUrl, { signal: AbortSignal.timeout(1000) });
      const body: any = await res.json();
      this.samples.push({ at, status: String(body.status), ratio: Number(body.ratio), streak: Number(body.streak) });
    } catch {
      this.samples.push({ at, status: 'down' });
    }
  }
}
