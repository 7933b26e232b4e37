/**
 * Names that several parts of heapwatch rely on: the metric names the sidecar exports
 * and the rules and dashboard query, the labels Prometheus attaches, the environment the
 * constructs set and the agent and sidecar read, and the shared-volume layout.
 *
 * The agent (src/agent/, bundled into one dependency-free file) and the sidecar import it, so
 * the names they write and read are these, and the shapes below are type-checked on both sides.
 */

/** Metric names: prom-client's standard names where one exists, so existing Node.js dashboards keep working. */
export const METRICS = {
  heapUsed: 'nodejs_heap_size_used_bytes',
  heapTotal: 'nodejs_heap_size_total_bytes',
  heapLimit: 'nodejs_heap_size_limit_bytes',
  external: 'nodejs_external_memory_bytes',
  heapSpaceUsed: 'nodejs_heap_space_size_used_bytes', // {space}
  rss: 'process_resident_memory_bytes',
  gcDuration: 'nodejs_gc_duration_seconds', // histogram {kind}: major, minor, incremental, weakcb
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  startTime: 'process_start_time_seconds',
  memoryUsage: 'nodejs_memory_usage_bytes', // {type}: rss, heapTotal, heapUsed, external, arrayBuffers
  heapUsedRatio: 'heapwatch_heap_used_ratio', // used / limit
  heapUsedTotalRatio: 'heapwatch_heap_used_total_ratio', // used / total (what many Node.js monitors alert on; alerted on only with heap.ratioBasis total)
  highStreak: 'heapwatch_heap_high_streak', // consecutive high checks
  liveAfterGc: 'heapwatch_heap_live_after_gc_bytes', // heap used right after the last major GC
  livenessFailing: 'heapwatch_liveness_failing', // 1 while /livez answers 503
  containerMemoryLimit: 'heapwatch_container_memory_limit_bytes',
  agentUp: 'heapwatch_agent_up', // 1 when the sidecar has a fresh reading from the agent
  appRestarts: 'heapwatch_app_restarts_total', // counter {reason}: heap_streak, other
  // These two names say "manual" for a forced GC: they are published metric names that users'
  // dashboards and alerts query, so they stay as they are although the code says forcedGc.
  forcedGc: 'heapwatch_manual_gc_total', // counter: forced GCs run by the agent
  forcedGcReclaimed: 'heapwatch_manual_gc_reclaimed_bytes', // gauge: bytes the last forced GC reclaimed
  snapshots: 'heapwatch_heap_snapshots_total', // counter {outcome}: written, failed, refused
  heapProfiles: 'heapwatch_heap_profiles_total', // counter {outcome}: written, failed, refused
  // gauge {function, location}: live heap bytes (sampled) by the code that allocated them, top ALLOCATION_SITES.max
  allocationSiteBytes: 'heapwatch_heap_allocation_site_bytes',
  allocationSampledBytes: 'heapwatch_heap_allocation_sampled_bytes', // gauge: all sampled live bytes of the same profile
} as const;

/**
 * heapwatch_heap_allocation_site_bytes: at most `max` series per pod (the top live allocation
 * sites), label values at most `labelMaxChars` long, refreshed at most every `refreshSeconds`.
 */
export const ALLOCATION_SITES = { max: 5, labelMaxChars: 120, refreshSeconds: 60 } as const;

/** Values of heapwatch_app_restarts_total's `reason` label. */
export const RESTART_REASONS = { heapStreak: 'heap_streak', other: 'other' } as const;

/** The prefix of the sidecar's metrics about its own process, so they never collide with the app's. */
export const EXPORTER_SELF_PREFIX = 'heapwatch_exporter_';

/** Recording rules (alerts/heapwatch-rules.yaml); the dashboard queries these names. */
export const RECORDS = {
  /** The alerting heap ratio (per heap.ratioBasis) per namespace, app, pod. */
  heapRatio: 'heapwatch:heap_used_ratio',
  /** Its maximum per namespace, app. */
  heapRatioMaxByApp: 'heapwatch:heap_used_ratio:max_by_app',
  /** 1 when the pod's heap ratio is under heap.targetRatio, else 0 (per namespace, app, pod). */
  underTarget: 'heapwatch:heap_under_target',
  /**
   * Rollups per namespace, app, every 20 checks (5 minutes by default): the sum and count of
   * underTarget's samples, and memory-related restarts (the long-window records sum them).
   */
  underTargetSumRollup: 'heapwatch:heap_under_target:sum_rollup',
  underTargetCountRollup: 'heapwatch:heap_under_target:count_rollup',
  memoryRestartsRollup: 'heapwatch:memory_restarts:increase_rollup',
  /**
   * Hourly rollups of those per namespace, app, every 12 rollups (1 hour by default): the sums of
   * the 5-minute sums, counts and restarts (the 30-day records sum these).
   */
  underTargetSumRollup1h: 'heapwatch:heap_under_target:sum_rollup_1h',
  underTargetCountRollup1h: 'heapwatch:heap_under_target:count_rollup_1h',
  memoryRestartsRollup1h: 'heapwatch:memory_restarts:increase_rollup_1h',
  /** Share of time under the target per namespace, app, over 1 day and 30 days. */
  underTargetRatio1d: 'heapwatch:heap_under_target:ratio_1d',
  underTargetRatio30d: 'heapwatch:heap_under_target:ratio_30d',
  /** Memory-related restarts (heap streak + OOM kills) per namespace, app over 30 days. */
  memoryRestarts30d: 'heapwatch:memory_restarts:increase_30d',
  /** Share of wall time spent in GC per namespace, app, pod (5m rate). */
  gcTimeRatio: 'heapwatch:gc_time:ratio_rate5m',
  /**
   * The top live allocation site's share of the sampled live heap per namespace, app, pod, labelled
   * with its `function` and `location`: what the heap alerts' messages name.
   */
  topAllocationSiteShare: 'heapwatch:allocation_site:top_share',
  /** The live heap after the last major GC per namespace, app, pod, every 4 checks: the leak forecast's input. */
  liveAfterGc: 'heapwatch:heap_live_after_gc_bytes',
} as const;

/** Alert names: the rules, runbooks, README, dashboard and tests all refer to these. */
export const ALERTS = [
  'NodejsHeapUsageHigh',
  'NodejsHeapHighStreak',
  'NodejsHeapLeakSuspected',
  'NodejsGcPressureHigh',
  'NodejsContainerMemoryNearLimit',
  'NodejsContainerOOMKilled',
  'NodejsRestartedForHeap',
  'HeapwatchExporterDown',
  'HeapwatchAgentMissing',
  'Watchdog',
] as const;
export type AlertName = (typeof ALERTS)[number];

/**
 * Target labels Prometheus attaches to every sample it scrapes from a heapwatch sidecar
 * (relabelled from pod discovery); rules and dashboard group by these.
 */
export const TARGET_LABELS = { namespace: 'namespace', pod: 'pod', app: 'app', container: 'container' } as const;

/** Container names in a watched pod (rules filter the sidecar out of the app's OOM kills by name). */
export const CONTAINERS = { app: 'app', exporter: 'heapwatch-exporter', agentInit: 'heapwatch-agent-init' } as const;

/** kube-state-metrics series the rules and dashboard read (scraped with honor_labels). */
export const KSM_METRICS = {
  restarts: 'kube_pod_container_status_restarts_total',
  lastTerminatedReason: 'kube_pod_container_status_last_terminated_reason',
  podLabels: 'kube_pod_labels',
} as const;

/** Scrape job names in prometheus.yml. */
export const JOBS = {
  exporter: 'heapwatch-exporter',
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  kubeStateMetrics: 'kube-state-metrics',
  cadvisor: 'kubelet-cadvisor',
} as const;

/**
 * The external label that tells Prometheus replicas apart (prometheus.replicas above 1): each
 * carries its pod name in it, and alerts drop it. Thanos and Mimir are told this name.
 */
export const REPLICA_LABEL = 'replica';

/** How the stack's Prometheus finds watched pods: this pod label, and the container port with this name. */
export const DISCOVERY = {
  podLabel: 'heapwatch.dev/watched',
  podLabelValue: 'true',
  portName: 'hw-metrics',
} as const;

/** The shared emptyDir between the app and the sidecar, as mounted in both containers. */
export const SHARED_DIR = '/heapwatch';
/**
 * Where heapwatch's own code is, read-only, in the containers that run it: the code
 * ConfigMaps' mount (exporter.delivery 'configmap'), or the image's files ('image').
 */
export const CODE_DIR = '/opt/heapwatch';
/** The agent's file name: in CODE_DIR, and in SHARED_DIR where image delivery's init container copies it. */
export const AGENT_FILE = 'heapwatch-agent.js';
/** The bundled sidecar's file name in CODE_DIR; its ConfigMaps hold it gzipped, in parts `${EXPORTER_FILE}.gz.<n>`. */
export const EXPORTER_FILE = 'heapwatch-exporter.js';
/** Where the exporter image carries the agent, for the init container to copy. */
export const AGENT_SOURCE_IN_IMAGE = `${CODE_DIR}/${AGENT_FILE}`;
/** The agent's unix socket inside SHARED_DIR; the agent listens, the sidecar connects. */
export const AGENT_SOCKET = 'agent.sock';
/**
 * The agent's latest AgentReading inside SHARED_DIR, one JSON line, replaced whole (a rename)
 * after every check by the agent that owns AGENT_SOCKET.
 */
export const AGENT_READING_FILE = 'reading.json';
/** Heap snapshots inside SHARED_DIR. */
export const SNAPSHOT_SUBDIR = 'snapshots';
/** Live allocation profiles (Chrome DevTools .heapprofile) inside SHARED_DIR. */
export const PROFILE_SUBDIR = 'profiles';
/** Written by the agent just before /livez starts failing, read (and removed) by the sidecar. */
export const RESTART_MARKER = 'restart-marker.json';
/** The sidecar's restart counts and last seen app process, so they survive the sidecar's own restarts. */
export const EXPORTER_STATE_FILE = 'exporter-state.json';

/** Environment the app container gets for the agent. */
export const AGENT_ENV = {
  dir: 'HEAPWATCH_DIR',
  checkIntervalSeconds: 'HEAPWATCH_CHECK_INTERVAL_SECONDS',
  highRatio: 'HEAPWATCH_HIGH_RATIO',
  ratioBasis: 'HEAPWATCH_RATIO_BASIS',
  streakAlertChecks: 'HEAPWATCH_STREAK_ALERT_CHECKS',
  livenessFailChecks: 'HEAPWATCH_LIVENESS_FAIL_CHECKS',
  livenessPort: 'HEAPWATCH_LIVENESS_PORT',
  startupGraceSeconds: 'HEAPWATCH_STARTUP_GRACE_SECONDS',
  snapshotBeforeRestart: 'HEAPWATCH_SNAPSHOT_BEFORE_RESTART',
  containerMemoryLimitBytes: 'HEAPWATCH_CONTAINER_MEMORY_LIMIT_BYTES',
  /** Longest the event loop may block (a heap snapshot) before the liveness probe would fail. */
  livenessToleranceSeconds: 'HEAPWATCH_LIVENESS_TOLERANCE_SECONDS',
  /** The live allocation profile (V8's sampling heap profiler): "true" or "false". */
  allocationProfile: 'HEAPWATCH_ALLOCATION_PROFILE',
  allocationSamplingIntervalBytes: 'HEAPWATCH_ALLOCATION_SAMPLING_INTERVAL_BYTES',
  /** Seconds between two refreshes of the reading's allocation sites; the constructs leave it at ALLOCATION_SITES.refreshSeconds. */
  allocationSitesRefreshSeconds: 'HEAPWATCH_ALLOCATION_SITES_REFRESH_SECONDS',
  /** The pod's name (Downward API metadata.name): spreads the liveness fail count over a fleet (src/agent/streak.ts). */
  podName: 'HEAPWATCH_POD_NAME',
  /** Lean mode (exporter.sidecar false) only: the agent serves /metrics itself on this port (the hw-metrics port). */
  metricsPort: 'HEAPWATCH_METRICS_PORT',
} as const;

/**
 * The kubelet's liveness probe on the agent's /livez. The agent decides when to fail (after
 * heap.livenessFailChecks); the probe only has to notice it soon, and has to tolerate a blocked
 * event loop (a heap snapshot blocks it for seconds): it fails after about
 * periodSeconds * failureThreshold + timeoutSeconds of silence, which the agent is told as
 * HEAPWATCH_LIVENESS_TOLERANCE_SECONDS and keeps snapshots well inside.
 */
export const LIVENESS_PROBE = { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 } as const;
export const livenessToleranceSeconds = () =>
  LIVENESS_PROBE.periodSeconds * LIVENESS_PROBE.failureThreshold + LIVENESS_PROBE.timeoutSeconds;

/**
 * Set by the agent in the process it watches; every process started under it (npm's child,
 * cluster workers, helpers the app spawns) inherits it and stays passive: one agent per pod.
 */
export const AGENT_ACTIVE_PID_ENV = 'HEAPWATCH_AGENT_ACTIVE_PID';

/** Environment the exporter sidecar gets. */
export const EXPORTER_ENV = {
  dir: 'HEAPWATCH_DIR',
  port: 'HEAPWATCH_PORT',
  source: 'HEAPWATCH_SOURCE', // "agent" or "scrape"
  scrapeUrl: 'HEAPWATCH_SCRAPE_URL', // for source=scrape
  checkIntervalSeconds: 'HEAPWATCH_CHECK_INTERVAL_SECONDS',
  tokenFile: 'HEAPWATCH_TOKEN_FILE',
  snapshotMaxKept: 'HEAPWATCH_SNAPSHOT_MAX_KEPT',
  snapshotCooldownSeconds: 'HEAPWATCH_SNAPSHOT_COOLDOWN_SECONDS',
  snapshotVolumeLimitBytes: 'HEAPWATCH_SNAPSHOT_VOLUME_LIMIT_BYTES',
  containerMemoryLimitBytes: 'HEAPWATCH_CONTAINER_MEMORY_LIMIT_BYTES', // the app container's limit
} as const;

/** V8's inspector port: never opened or exposed by heapwatch, and never the agent's liveness port. */
export const INSPECTOR_PORT = 9229;

/**
 * Node flags the sidecar runs with (the image's CMD and the constructs' command; the tests and
 * the bench use them too). Measured idle RSS on Node 24 (bench/exporter.ts prints the no-flags
 * figure beside them):
 * - --max-semi-space-size=1: start-up allocation otherwise grows the young generation to
 *   2 x 2 MiB and it stays there; the sidecar allocates ~100 KB per scrape, so 1 MiB
 *   semi-spaces only mean a few more (cheap) scavenges. About -1.5 MiB.
 * - --disable-optimizing-compilers: no TurboFan/Maglev (their threads' zones and code);
 *   the interpreter and the Sparkplug baseline stay, and so does WebAssembly. A sidecar
 *   that does ~1 ms of work per scrape gains nothing from optimized code. About -3 MiB.
 * (--lite-mode saves under 1 MiB more but disables WebAssembly, which Node's fetch needs.)
 */
export const EXPORTER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--disable-optimizing-compilers'];

/** Where the sidecar finds the snapshot token (the Secret mounted as a file). */
export const TOKEN_MOUNT_DIR = '/var/run/secrets/heapwatch';

/** The Grafana memory dashboard's uid, used in every alert's dashboard_url. */
export const DASHBOARD_UID = 'heapwatch-memory';

/** Buckets of the GC pause histogram (prom-client's own, so existing dashboards keep working). */
export const GC_BUCKETS_SECONDS = [0.001, 0.01, 0.1, 1, 2, 5] as const;
export type GcKind = 'major' | 'minor' | 'incremental' | 'weakcb';

/**
 * The agent publishes and the sidecar reads in the shared volume:
 *
 * SHARED_DIR/AGENT_READING_FILE, after every check:  AgentReading (the sidecar polls it)
 * SHARED_DIR/AGENT_SOCKET, newline-delimited JSON, one object per line; the agent listens,
 * the sidecar connects (and reconnects):
 *   sidecar -> agent, on an admin request:            SnapshotRequest (kind: heap snapshot or allocation profile)
 *   agent -> sidecar, when the file is written:       SnapshotResult
 *
 * Readings are a file, not socket lines, because the socket's writes share Node's stream code
 * with the app's own responses and cost the app CPU on every write (src/agent/reading.ts).
 * The open connection also tells the sidecar the app process is up.
 */
export interface AgentReading {
  readonly type: 'reading';
  /** The watched process, so the sidecar can tell a restart (new pid or start time). */
  readonly pid: number;
  /** Process start, epoch seconds (process_start_time_seconds). */
  readonly startTime: number;
  /** When the check ran, epoch milliseconds. */
  readonly ts: number;
  readonly nodeVersion: string;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly heapLimit: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rss: number;
  /** Used bytes per V8 heap space, e.g. { old_space: 123, new_space: 45 }. */
  readonly spaces: Readonly<Record<string, number>>;
  /** heapUsed / heapLimit. */
  readonly ratio: number;
  /** heapUsed / heapTotal. */
  readonly totalRatio: number;
  /** Consecutive checks whose ratio (per HEAPWATCH_RATIO_BASIS) was above the high ratio. */
  readonly streak: number;
  /** Heap used right after the last major GC, or null before the first one. */
  readonly liveAfterGc: number | null;
  /** Cumulative GC pause histograms per kind: counts per GC_BUCKETS_SECONDS bucket (cumulative, like Prometheus le), count, sum. */
  readonly gc: Readonly<Partial<Record<GcKind, { readonly buckets: readonly number[]; readonly count: number; readonly sum: number }>>>;
  /** p99 event-loop delay over the last interval, seconds. */
  readonly eventLoopLagP99: number;
  /** Forced GCs the agent has run, and the bytes the last one reclaimed. */
  readonly forcedGc: { readonly count: number; readonly lastReclaimedBytes: number };
  /** True while /livez answers 503. */
  readonly livenessFailing: boolean;
  /** The container's memory limit in bytes as the agent sees it (Downward API), or null. */
  readonly containerMemoryLimit: number | null;
  /**
   * The top live allocation sites from the allocation profile, largest first, refreshed at most
   * every ALLOCATION_SITES.refreshSeconds; absent when the profiler is off or has not read yet.
   */
  readonly allocationSites?: readonly AllocationSite[];
  /** All sampled live bytes of the same profile (the sites' shares are of this); with allocationSites. */
  readonly allocationSampledBytes?: number;
}

/** One allocation site: where the sampled live heap was allocated. */
export interface AllocationSite {
  /** The function's name, "(anonymous)" when it has none; at most ALLOCATION_SITES.labelMaxChars. */
  readonly function: string;
  /** file:line of the function, relative to the app's working directory; at most ALLOCATION_SITES.labelMaxChars. */
  readonly location: string;
  /** Sampled live bytes allocated there. */
  readonly bytes: number;
  /** bytes / all sampled live bytes, 0..1. */
  readonly share: number;
}

/** What a socket request asks the agent to write. */
export type CaptureKind = 'snapshot' | 'profile';

export interface SnapshotRequest {
  readonly type: 'snapshot';
  readonly id: string;
  /** A heap snapshot (SNAPSHOT_SUBDIR, the default when absent) or an allocation profile (PROFILE_SUBDIR). */
  readonly kind?: CaptureKind;
  /** File name inside that folder, chosen and validated by the sidecar. */
  readonly file: string;
}

export interface SnapshotResult {
  readonly type: 'snapshot-result';
  readonly id: string;
  readonly ok: boolean;
  readonly file?: string;
  readonly bytes?: number;
  readonly durationMs?: number;
  /** Why it was refused or failed: "no-headroom", "busy", "too-slow", "disabled" (no profiler) or "error". */
  readonly reason?: string;
  readonly message?: string;
  /** A refusal's estimated need (RSS bytes, or file bytes when the volume is short). */
  readonly neededBytes?: number;
  /** A refusal's headroom (RSS bytes under the limit, or the volume's free bytes). */
  readonly headroomBytes?: number;
}

/** SHARED_DIR/RESTART_MARKER, written by the agent just before /livez starts failing. */
export interface RestartMarker {
  readonly reason: typeof RESTART_REASONS.heapStreak;
  readonly pid: number;
  /** Process start, epoch seconds. */
  readonly startTime: number;
  /** When /livez started failing, epoch milliseconds. */
  readonly at: number;
  readonly streak: number;
  readonly ratio: number;
  readonly heapUsed: number;
  readonly heapLimit: number;
  /** The pre-restart snapshot's file name in SNAPSHOT_SUBDIR, or null when there was no room. */
  readonly snapshot: string | null;
  /** The pre-restart allocation profile's file name in PROFILE_SUBDIR, or null when the profiler is off. */
  readonly profile: string | null;
}
