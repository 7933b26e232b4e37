/**
 * Wires the sidecar together from validated settings: the app's source (the agent's reading
 * file and socket, or a scrape), restart counting, the metrics registry, OpenTelemetry host
 * metrics and the admin API. Starts background work but does not listen; main.ts owns the
 * server and the process.
 */
import * as path from 'node:path';
import type express from 'express';
import { AGENT_READING_FILE, AGENT_SOCKET, AgentReading, EXPORTER_ENV, PROFILE_SUBDIR, SNAPSHOT_SUBDIR } from '../contract';
import { AgentClient } from './agent-client';
import { createAdminRouter, PROFILE_ROOM_BYTES, SNAPSHOT_ROOM_FACTOR, SnapshotTaker } from './admin-api';
import { createApp } from './app';
import { ExporterSettings } from './env';
import { mergeExpositions } from './exposition';
import { isFresh } from './freshness';
import { createExporterMetrics } from './metrics';
import { OtelMetrics, OtelSetup, startOtel } from './otel';
import { RestartTracker } from './restarts';
import { registerScrapeRatios, ScrapeSource } from './scrape-source';
import { EXTENSIONS, SnapshotStore } from './snapshot-store';
import { TokenFile } from './token';

export interface Exporter {
  readonly app: express.Express;
  /** Resolves once the first host-metrics collection is done (then /readyz is 200). */
  readonly started: Promise<void>;
  /** Stops background work; /readyz answers 503 from now on. */
  stop(): Promise<void>;
}

export interface ExporterDeps {
  /** Structured log lines (JSON); audit lines go here too. @default - none */
  readonly log?: (line: string) => void;
  /** How the OpenTelemetry MeterProvider is made. @default sdkMetricsSetup */
  readonly otelSetup?: OtelSetup;
  /** host-metrics groups. @default DEFAULT_HOST_METRIC_GROUPS (no system.network) */
  readonly hostMetricGroups?: readonly string[];
  /** Collect host metrics on every scrape instead of on a timer (the bench's comparison). @default false */
  readonly hostMetricsPerScrape?: boolean;
}

export function createExporter(s: ExporterSettings, deps: ExporterDeps = {}): Exporter {
  const log = deps.log ?? (() => undefined);
  const event = (name: string, fields: object) => log(JSON.stringify({ ts: new Date().toISOString(), event: name, ...fields }));
  let ready = false;

  const restarts = new RestartTracker({
    dir: s.dir,
    onRestart: (reason, from, to) => event('app-restart', { reason, fromPid: from.pid, toPid: to.pid }),
  });

  let agent: AgentClient | undefined;
  let scrape: ScrapeSource | undefined;
  const fresh = (): AgentReading | undefined => {
    const l = agent?.latest;
    return agent?.connected && l && isFresh(l.receivedAt, Date.now(), s.checkIntervalSeconds) ? l.reading : undefined;
  };

  const metrics = createExporterMetrics({
    agentUp: () => (scrape ? scrape.fresh() : fresh() !== undefined),
    restarts: () => restarts.counts(),
    containerMemoryLimit: () => fresh()?.containerMemoryLimit ?? s.containerMemoryLimitBytes,
    current: s.source === 'agent' ? fresh : undefined,
  });

  if (s.source === 'agent') {
    agent = new AgentClient({
      socketPath: path.join(s.dir, AGENT_SOCKET),
      readingPath: path.join(s.dir, AGENT_READING_FILE),
      // A quarter of the check interval (at most 1 s): a reading is exported soon after its check.
      pollMs: Math.min(1000, s.checkIntervalSeconds * 250),
      maxBackoffMs: Math.min(5000, s.checkIntervalSeconds * 1000),
      onReading: (r) => restarts.observe(r),
      onRejected: (reason) => {
        metrics.rejectedLines.inc();
        event('agent-line-rejected', { reason });
      },
    });
    agent.start();
  } else {
    scrape = new ScrapeSource({
      url: s.scrapeUrl!,
      checkIntervalSeconds: s.checkIntervalSeconds,
      onError: (why) => event('scrape-failed', { why }),
      onStartTime: (startTime) => restarts.observe({ pid: 0, startTime }),
    });
    registerScrapeRatios(metrics.registry, scrape);
    scrape.start();
  }

  const taker: SnapshotTaker = {
    availability: () => {
      if (!agent) return { ok: false, why: `${EXPORTER_ENV.source}=scrape has no agent to take snapshots` };
      const r = fresh();
      return r ? { ok: true, heapUsed: r.heapUsed } : { ok: false, why: 'the agent is not connected or its last reading is stale' };
    },
    take: (kind, file, timeoutMs) => agent!.requestSnapshot(file, timeoutMs, kind),
  };
  const admin = createAdminRouter({
    token: new TokenFile(s.tokenFile),
    taker,
    audit: log,
    snapshot: {
      store: new SnapshotStore(s.dir, SNAPSHOT_SUBDIR, s.snapshotVolumeLimitBytes),
      counter: metrics.snapshots,
      maxKept: s.snapshotMaxKept,
      cooldownSeconds: s.snapshotCooldownSeconds,
      roomBytes: (heapUsed) => heapUsed * SNAPSHOT_ROOM_FACTOR,
      timeoutMs: 120_000,
    },
    // Profiles are pruned like snapshots; a profile blocks the app for milliseconds, so it
    // has no cooldown beyond one at a time.
    profile: {
      store: new SnapshotStore(s.dir, PROFILE_SUBDIR, s.snapshotVolumeLimitBytes, EXTENSIONS.profile),
      counter: metrics.profiles,
      maxKept: s.snapshotMaxKept,
      cooldownSeconds: 0,
      roomBytes: () => PROFILE_ROOM_BYTES,
      timeoutMs: 30_000,
    },
  });

  const otel: OtelMetrics = startOtel({ refreshSeconds: s.checkIntervalSeconds, metricGroups: deps.hostMetricGroups }, deps.otelSetup);
  const started = otel.refresh().then(() => {
    ready = true;
  });

  const app = createApp({
    metrics: async () => {
      if (deps.hostMetricsPerScrape) await otel.refresh();
      return mergeExpositions([await metrics.registry.metrics(), scrape?.text() ?? '', otel.text()]);
    },
    ready: () => ready,
    admin,
  });

  return {
    app,
    started,
    stop: async () => {
      ready = false;
      agent?.stop();
      scrape?.stop();
      await otel.shutdown();
    },
  };
}
