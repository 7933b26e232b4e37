/**
 * The kubelet's part for one container: its startupProbe, then its livenessProbe, as
 * synthesized (period, timeout, failure and success thresholds), against the local process;
 * after failureThreshold consecutive failures, or when the process exits, the container is
 * restarted (restartPolicy Always). Kubelet details left out: CrashLoopBackOff delays
 * (restarts here are immediate) and probe jitter.
 */
import { ProbeSpec } from './manifests';
import { BackgroundLoop } from './background-loop';
import { delay } from './poll';

export interface ProbeTarget {
  /** Current host:port for a container port (changes never; the process may). */
  url(probe: ProbeSpec): string;
  /** True while the container's process runs. */
  running(): boolean;
  /** Kill the container's process and start it again. */
  restart(reason: 'liveness' | 'startup' | 'exited'): Promise<void>;
}

export interface ProbeEvent {
  readonly at: number;
  readonly kind: 'probe-failed' | 'started' | 'restart';
  readonly probe?: 'startup' | 'liveness';
  readonly detail: string;
}

export class Prober extends BackgroundLoop {
  readonly events: ProbeEvent[] = [];

  constructor(
    private readonly target: ProbeTarget,
    readonly startup: ProbeSpec | undefined,
    readonly liveness: ProbeSpec | undefined,
    private readonly onEvent: (e: ProbeEvent) => void = () => undefined,
  ) {
    super();
  }

  /** Restarts counted so far, by reason. */
  restarts(reason?: string): ProbeEvent[] {
    return this.events.filter((e) => e.kind === 'restart' && (reason === undefined || e.detail === reason));
  }

  private emit(e: Omit<ProbeEvent, 'at'>): void {
    const full = { at: Date.now(), ...e };
    this.events.push(full);
    this.onEvent(full);
  }

  /** Probes the container (start() right after it has been started) and restarts it as needed. */
  protected async run(): Promise<void> {
    while (!this.stopped) {
      const outcome = await this.probeContainer();
      if (this.stopped) return;
      this.emit({ kind: 'restart', detail: outcome });
      await this.target.restart(outcome);
    }
  }

  /** Probes one container instance until it must be restarted; returns why. */
  private async probeContainer(): Promise<'liveness' | 'startup' | 'exited'> {
    const phases: ['startup' | 'liveness', ProbeSpec | undefined][] = [['startup', this.startup], ['liveness', this.liveness]];
    for (const [name, spec] of phases) {
      if (!spec) continue;
      if (await this.sleep(spec.initialDelaySeconds * 1000)) return 'exited';
      let failures = 0;
      let successes = 0;
      for (;;) {
        if (this.stopped) return 'exited';
        if (!this.target.running()) return 'exited';
        const started = Date.now();
        const result = await this.probe(spec);
        if (result === null) {
          successes++;
          failures = 0;
          if (name === 'startup' && successes >= spec.successThreshold) {
            this.emit({ kind: 'started', probe: name, detail: 'startup probe succeeded' });
            break;
          }
        } else {
          failures++;
          successes = 0;
          this.emit({ kind: 'probe-failed', probe: name, detail: `${result} (${failures}/${spec.failureThreshold})` });
          if (failures >= spec.failureThreshold) return name;
        }
        if (await this.sleep(Math.max(0, spec.periodSeconds * 1000 - (Date.now() - started)))) return 'exited';
      }
    }
    // No liveness probe: only an exit restarts the container.
    while (!this.stopped && this.target.running()) await delay(100);
    return 'exited';
  }

  /** Sleeps in small steps; returns true if the process exited meanwhile. */
  private async sleep(ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.stopped) return false;
      if (!this.target.running()) return true;
      await delay(Math.min(100, until - Date.now()));
    }
    return false;
  }

  /** null on success (2xx/3xx within the timeout), else what went wrong. */
  private async probe(spec: ProbeSpec): Promise<string | null> {
    try {
      const res = await fetch(this.target.url(spec), { signal: AbortSignal.timeout(spec.timeoutSeconds * 1000), redirect: 'manual' });
      await res.arrayBuffer();
      return res.status >= 200 && res.status < 400 ? null : `HTTP ${res.status}`;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      return err.name === 'TimeoutError' ? `timed out after ${spec.timeoutSeconds} s` : (err.cause?.code ?? err.message);
    }
  }
}
