/**
 * Work that runs in the background from start() until stop(), which resolves once the
 * current turn has finished (so nothing is still writing after a test or the demo moves on).
 */
import { delay } from './poll';

export abstract class BackgroundLoop {
  protected stopped = false;
  private loop?: Promise<void>;

  start(): void {
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  protected abstract run(): Promise<void>;
}

/** A background loop that calls tick() every intervalMs (measured start to start). */
export abstract class PollingLoop extends BackgroundLoop {
  constructor(private readonly intervalMs: number) {
    super();
  }

  /** One poll; `at` is when it started, epoch ms. It must not throw. */
  protected abstract tick(at: number): Promise<void>;

  protected async run(): Promise<void> {
    while (!this.stopped) {
      const at = Date.now();
      await this.tick(at);
      await delay(Math.max(0, this.intervalMs - (Date.now() - at)));
    }
  }
}
