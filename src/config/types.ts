/**
 * The one heapwatch config. Every threshold, limit, probe, rule, dashboard line and
 * route is derived from an object of this shape; `resolveConfig()` fills in the
 * defaults documented here and validates the result.
 *
 * Durations are Prometheus durations ("30s", "5m"); memory and CPU are Kubernetes
 * quantities ("512Mi", "250m"); ratios are fractions in (0, 1].
 */
import type { AlertmanagerConfig, AlertsConfig, GrafanaConfig, KubeStateMetricsConfig, OperatorConfig, PrometheusConfig, SlackConfig } from './stack-types';

export * from './stack-types';

export interface HeapwatchConfig {
  /**
   * Deploy heapwatch's own monitoring stack, or plug into an existing kube-prometheus-stack.
   * @default DeployMode.STANDALONE
   */
  readonly mode: DeployMode;
  /** How heapwatch plugs into kube-prometheus-stack, for DeployMode.OPERATOR. */
  readonly operator: OperatorConfig;
  /**
   * Namespace of the monitoring stack (Prometheus, Alertmanager, Grafana, kube-state-metrics).
   * @default "heapwatch"
   */
  readonly namespace: string;
  /** How the heap is judged: thresholds, streaks, liveness. */
  readonly heap: HeapConfig;
  /** The watched Node.js app (the sample app in charts/sample-app.ts, or your own). */
  readonly app: AppConfig;
  /** The exporter sidecar beside the app. */
  readonly exporter: ExporterConfig;
  /** Alert windows and the links every alert carries. */
  readonly alerts: AlertsConfig;
  /** Slack routing. */
  readonly slack: SlackConfig;
  readonly prometheus: PrometheusConfig;
  readonly alertmanager: AlertmanagerConfig;
  readonly grafana: GrafanaConfig;
  readonly kubeStateMetrics: KubeStateMetricsConfig;
}

/** What heapwatch deploys around the watched apps. */
export enum DeployMode {
  /** heapwatch's own Prometheus, Alertmanager, Grafana and kube-state-metrics. The default. */
  STANDALONE = 'standalone',
  /**
   * None of them: PrometheusRule, PodMonitor, AlertmanagerConfig and a dashboard ConfigMap that an
   * existing kube-prometheus-stack (prometheus-operator and Grafana's dashboard sidecar) picks up.
   */
  OPERATOR = 'operator',
}

/** Which denominator the heap ratio uses. */
export enum HeapRatioBasis {
  /**
   * heap used / V8 heap size limit: what actually runs out. The default.
   */
  LIMIT = 'limit',
  /**
   * heap used / heapTotal, the ratio many Node.js monitors alert on. V8 grows heapTotal just ahead of
   * heapUsed, so this sits at 85-95 % in a healthy process and pages all day; kept only
   * for teams that must reproduce the old monitor.
   */
  TOTAL = 'total',
}

/** Where the sidecar gets the app's readings. */
export enum MetricsSource {
  /** The in-process heapwatch agent (all features). The default. */
  AGENT = 'agent',
  /**
   * The app's own prom-client /metrics on localhost, for apps that already serve one.
   * No streak, no liveness, no forced GC, no snapshots.
   */
  SCRAPE = 'scrape',
}

/** How heapwatch's own code (the agent and the sidecar) reaches the watched pod. */
export enum ExporterDelivery {
  /**
   * In ConfigMaps in dist/ (the app's namespace), mounted read-only and run on the official
   * Node.js image (exporter.image): no image to build or push. The default.
   */
  CONFIGMAP = 'configmap',
  /**
   * In an image you build from src/exporter/Dockerfile and push to your own registry
   * (exporter.image); an init container copies the agent into the shared volume.
   */
  IMAGE = 'image',
}

export interface HeapConfig {
  /**
   * A check whose heap ratio is above this is "high". Drives NodejsHeapUsageHigh, the
   * streak, the liveness decision and the dashboard's threshold line.
   * @default 0.85
   */
  readonly highRatio: number;
  /**
   * The healthy target, a success metric: a heap under it leaves room for a load spike before
   * highRatio. Drives the dashboard's target line and the time-under-target recording rules.
   * Must be below highRatio.
   * @default 0.70
   */
  readonly targetRatio: number;
  /**
   * Seconds between the agent's heap checks, and the sidecar's scrape interval.
   * @default 15
   */
  readonly checkIntervalSeconds: number;
  /**
   * Consecutive high checks that fire NodejsHeapHighStreak ("service restart recommended").
   * @default 20 (5 minutes at the default interval)
   */
  readonly streakAlertChecks: number;
  /**
   * Consecutive high checks after which /livez fails (and the kubelet restarts the app),
   * only if a forced GC does not bring the ratio back under highRatio. 0 disables. Must be
   * above streakAlertChecks, so the page comes before the restart.
   * @default 60 (15 minutes at the default interval)
   */
  readonly livenessFailChecks: number;
  /**
   * Seconds after start during which /livez never fails (the startup probe's budget too).
   * @default 120
   */
  readonly startupGraceSeconds: number;
  /**
   * What the heap ratio is taken against, everywhere it is judged: the heap alerts and the
   * dashboard's threshold lines, and in the agent the high checks that make the streak and the
   * liveness decision (with its check after a forced GC). Both ratios are always exported.
   * @default HeapRatioBasis.LIMIT
   */
  readonly ratioBasis: HeapRatioBasis;
  /**
   * V8 old-space limit (--max-old-space-size) as a fraction of the app container's memory
   * limit; the rest is for new space, code, buffers and native memory.
   * @default 0.75
   */
  readonly oldSpaceLimitRatio: number;
  /**
   * V8 semi-space size (--max-semi-space-size), in MiB, a power of two. V8 reserves three
   * semi-spaces of young generation inside heap_size_limit and sizes them from the HOST's
   * memory, not the container's: Node 24 on a 24 GiB node reserves 192 MiB, so a 1Gi
   * container's heap ratio could never pass 0.80 before the old space ran out. Deriving it
   * from the container limit keeps heap.highRatio reachable.
   * @default - the largest power of two <= 16 and <= the old space / 32
   */
  readonly maxSemiSpaceMiB?: number;
  /**
   * Write one heap snapshot into the shared volume before /livez fails, when there is room.
   * @default true
   */
  readonly snapshotBeforeRestart: boolean;
  /**
   * The live allocation profile: which code allocated the heap that is still live, from V8's
   * sampling heap profiler, named on the page and kept before a restart.
   */
  readonly allocationProfile: AllocationProfileConfig;
}

/** V8's sampling heap profiler in the watched process (its measured cost: the README's Benchmarks). */
export interface AllocationProfileConfig {
  /**
   * Run it: heapwatch_heap_allocation_site_bytes, the top site in the heap alerts' messages,
   * /admin/heap-profiles and a profile before every heap-streak restart. Costs the app CPU while
   * it runs, whatever the interval: V8's profiler, not the samples (figures: the README's Benchmarks).
   * @default true
   */
  readonly enabled: boolean;
  /**
   * Mean bytes allocated between two samples, 1024 to 67108864. Smaller sees smaller leaks
   * sooner and keeps more samples (memory, a longer read); larger does not lower the CPU cost
   * (the README's Benchmarks). At 512 KiB a 440 MiB leak keeps about 720 samples.
   * @default 524288 (512 KiB)
   */
  readonly samplingIntervalBytes: number;
}

/** CPU and memory for one container. */
export interface Resources {
  /** @default - per component */
  readonly cpuRequest: string;
  /** @default - per component */
  readonly cpuLimit: string;
  /** @default - per component */
  readonly memoryRequest: string;
  /** @default - per component */
  readonly memoryLimit: string;
}

export interface AppConfig {
  /**
   * Name of the app: the Deployment, Service and `app.kubernetes.io/name` label.
   * @default "sample-app"
   */
  readonly name: string;
  /**
   * Namespace the app runs in.
   * @default "default"
   */
  readonly namespace: string;
  /**
   * The app's image, with an explicit tag or digest (never `latest`).
   * @default "docker.io/library/node:24.11.1-alpine3.22" (the sample app)
   */
  readonly image: string;
  /**
   * Command for the app container.
   * @default - the image's own entrypoint (the sample app runs a small inline HTTP server)
   */
  readonly command?: readonly string[];
  /**
   * The app's HTTP port (container port named "http").
   * @default 3000
   */
  readonly port: number;
  /** @default 1 */
  readonly replicas: number;
  /**
   * The app container's resources. memoryLimit drives --max-old-space-size.
   * @default { cpuRequest: "100m", cpuLimit: "1", memoryRequest: "1Gi", memoryLimit: "1Gi" }
   */
  readonly resources: Resources;
  /**
   * NODE_OPTIONS the app already uses; heapwatch appends its own, keeping these.
   * @default ""
   */
  readonly nodeOptions: string;
  /**
   * Add --expose-gc. Not needed for the agent's forced GC (it takes `gc` from a vm context of its
   * own); only for apps that call global.gc() themselves (the agent then uses that).
   * @default false
   */
  readonly exposeGc: boolean;
  /**
   * Port of the agent's /livez server inside the app container (never 9229, the inspector's).
   * @default 9465
   */
  readonly livenessPort: number;
}

export interface SnapshotConfig {
  /**
   * Secret holding the admin API's bearer token (created by you; see README).
   * @default "heapwatch-snapshot-token"
   */
  readonly tokenSecretName: string;
  /** @default "token" */
  readonly tokenSecretKey: string;
  /** Snapshot files kept in the shared volume; the oldest goes first. @default 3 */
  readonly maxKept: number;
  /** Minimum time between two requested snapshots. @default "5m" */
  readonly cooldown: string;
  /** Size limit of the shared emptyDir that holds snapshots. @default "2Gi" */
  readonly volumeSizeLimit: string;
}

export interface ExporterConfig {
  /**
   * The sidecar's image: the official Node.js image the shipped code runs on (configmap
   * delivery), or the image you built and pushed (image delivery).
   * @default "docker.io/library/node:24.11.1-alpine3.22"
   */
  readonly image: string;
  /**
   * How the agent and the sidecar's code reach the pod.
   * @default ExporterDelivery.CONFIGMAP
   */
  readonly delivery: ExporterDelivery;
  /**
   * Run the exporter sidecar. false is lean mode: no sidecar, and the agent serves the core
   * metrics itself on exporter.port (the app container's "hw-metrics" port) for a few MiB per pod
   * instead of about 67; no admin API, downloads or OpenTelemetry host metrics (README, "Lean mode").
   * Needs exporter.source "agent".
   * @default true
   */
  readonly sidecar: boolean;
  /** The metrics and admin port (container port named "hw-metrics", which Prometheus discovers). @default 9464 */
  readonly port: number;
  /** @default MetricsSource.AGENT */
  readonly source: MetricsSource;
  /** Path of the app's own metrics, for MetricsSource.SCRAPE. @default "/metrics" */
  readonly scrapePath: string;
  /** @default { cpuRequest: "20m", cpuLimit: "200m", memoryRequest: "96Mi", memoryLimit: "160Mi" } */
  readonly resources: Resources;
  readonly snapshots: SnapshotConfig;
}

/** What a user writes: any part may be left out; arrays replace the default whole. */
export type HeapwatchConfigInput = DeepPartial<HeapwatchConfig>;

export type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends readonly (infer U)[]
    ? readonly U[]
    : T[K] extends object
      ? DeepPartial<T[K]>
      : T[K];
};
