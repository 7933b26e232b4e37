/**
 * HEAPWATCH_SOURCE=scrape: for an app that already serves prom-client metrics and runs
 * without the agent. The sidecar fetches the app's /metrics on localhost once per check
 * interval and re-exposes only the standard families heapwatch's rules and dashboard use,
 * plus the ratios it can compute from them.
 *
 * Fewer features than with the agent (README, "Scrape mode"):
 * - heapwatch_heap_used_ratio only when the app exports nodejs_heap_size_limit_bytes
 *   (prom-client's default metrics do not); heapwatch_heap_used_total_ratio always;
 * - no heapwatch_heap_high_streak, heapwatch_heap_live_after_gc_bytes,
 *   heapwatch_liveness_failing or heapwatch_manual_gc_*: they need the in-process agent;
 * - no heap snapshots (the admin API answers 503) and no liveness restarts;
 * - restarts are counted from changes of process_start_time_seconds, always as "other"
 *   (no agent writes the heap-streak restart marker); prom-client rounds it to whole
 *   seconds, so a process restarted within the same second is missed;
 * - heapwatch_agent_up reports whether the last scrape of the app is fresh.
 */
import * as http from 'node:http';
import type { Registry } from 'prom-client';
import { METRICS } from '../contract';
import { registerComputed } from './computed-family';
import { splitFamilies } from './exposition';
import { isFresh } from './freshness';

/** The app families passed through unchanged (the contract's standard, unprefixed names). */
export const PASSTHROUGH_FAMILIES: readonly string[] = [
  METRICS.heapUsed, METRICS.heapTotal, METRICS.heapLimit, METRICS.external, METRICS.heapSpaceUsed,
  METRICS.rss, METRICS.gcDuration, METRICS.eventLoopLagP99, METRICS.startTime, METRICS.memoryUsage,
];

export interface ScrapeSourceOptions {
  readonly url: string;
  readonly checkIntervalSeconds: number;
  /** Largest accepted response. @default 4194304 (4 MiB) */
  readonly maxBytes?: number;
  /** Told when a scrape fails (for the log), with why. */
  readonly onError?: (why: string) => void;
  /** Told the app's process_start_time_seconds after every good scrape (restart counting). */
  readonly onStartTime?: (startTime: number) => void;
}

export class ScrapeSource {
  private lastOkAt?: number;
  private families = new Map<string, string[]>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: ScrapeSourceOptions) {}

  start(): void {
    void this.scrape();
    this.timer = setInterval(() => void this.scrape(), this.o.checkIntervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  fresh(now = Date.now()): boolean {
    return isFresh(this.lastOkAt, now, this.o.checkIntervalSeconds);
  }

  /** The passed-through families, or '' when the last good scrape is stale. */
  text(): string {
    if (!this.fresh()) return '';
    const out: string[] = [];
    for (const name of PASSTHROUGH_FAMILIES) out.push(...(this.families.get(name) ?? []));
    return out.length ? `${out.join('\n')}\n` : '';
  }

  /** The value of an unlabelled sample, when fresh. */
  value(name: string): number | undefined {
    if (!this.fresh()) return undefined;
    for (const line of this.families.get(name) ?? []) {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)/.exec(line);
      if (m && m[1] === name) {
        const v = Number(m[2]);
        return Number.isFinite(v) ? v : undefined;
      }
    }
    return undefined;
  }

  async scrape(): Promise<void> {
    try {
      const body = await this.fetchText();
      const all = splitFamilies(body);
      this.families = new Map(PASSTHROUGH_FAMILIES.filter((n) => all.has(n)).map((n) => [n, all.get(n)!]));
      this.lastOkAt = Date.now();
      const startTime = this.value(METRICS.startTime);
      if (startTime !== undefined) this.o.onStartTime?.(startTime);
    } catch (e) {
      this.o.onError?.(`scrape of ${this.o.url} failed: ${(e as Error).message}`);
    }
  }

  /** node:http rather than fetch: no undici (and its WebAssembly parser) loaded into the sidecar. */
  private fetchText(): Promise<string> {
    const max = this.o.maxBytes ?? 4 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const req = http.get(this.o.url, { timeout: Math.min(5000, this.o.checkIntervalSeconds * 1000) }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`HTTP ${res.statusCode}`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > max) req.destroy(new Error(`response larger than ${max} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
    });
  }
}

/** The ratios computable from the scraped families. */
export function registerScrapeRatios(registry: Registry, source: ScrapeSource): void {
  const ratio = (denominator: string) => () => {
    const used = source.value(METRICS.heapUsed);
    const d = source.value(denominator);
    return used !== undefined && d !== undefined && d > 0 ? [{ value: used / d }] : [];
  };
  registerComputed(registry, { name: METRICS.heapUsedRatio, help: 'Heap used / V8 heap size limit of the app process.', type: 'gauge', samples: ratio(METRICS.heapLimit) });
  registerComputed(registry, {
    name: METRICS.heapUsedTotalRatio,
    help: "Heap used / heap total of the app process (what many Node.js monitors alert on; 85-95 % is normal).",
    type: 'gauge',
    samples: ratio(METRICS.heapTotal),
  });
}
