/**
 * Watches the app's heap from outside, the way the kubelet sees it: polls the agent's /livez
 * (status, ratio, streak) a few times per check interval and keeps every answer, so the
 * moments a threshold was crossed and a streak reached are measured, not assumed.
 */
import { delay } from './poll';

export interface HeapSample {
  readonly at: number;
  /** /livez status: "ok", "failing", "disabled", or "down" when nothing answered. */
  readonly status: string;
  readonly ratio?: number;
  readonly streak?: number;
}

export class HeapSampler {
  readonly samples: HeapSample[] = [];
  private stopped = false;
  private loop?: Promise<void>;

  constructor(private readonly livezUrl: string, private readonly intervalMs = 200) {}

  start(): void {
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** The first sample at or after `since` that matches. */
  first(since: number, match: (s: HeapSample) => boolean): HeapSample | undefined {
    return this.samples.find((s) => s.at >= since && match(s));
  }

  last(): HeapSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const at = Date.now();
      try {
        const res = await fetch(this.livezUrl, { signal: AbortSignal.timeout(1000) });
        const body: any = await res.json();
        this.samples.push({ at, status: String(body.status), ratio: Number(body.ratio), streak: Number(body.streak) });
      } catch {
        this.samples.push({ at, status: 'down' });
      }
      await delay(Math.max(0, this.intervalMs - (Date.now() - at)));
    }
  }
}
