/**
 * The monitoring side of the config (src/config/types.ts holds its root and the watched app's
 * side): alert windows and links, Slack routing, the stack's own components, and operator mode.
 */
import type { Resources } from './types';

/** Operator mode: where kube-prometheus-stack runs and how its selectors find heapwatch's objects. */
export interface OperatorConfig {
  /**
   * kube-prometheus-stack's Helm release name. Its Prometheus selects PrometheusRules and PodMonitors
   * labelled `release: <this>` (ruleSelectorNilUsesHelmValues and its siblings default to true).
   * Required in operator mode.
   * @default - none; operator mode refuses to synthesize without it
   */
  readonly release?: string;
  /**
   * Extra labels on every PrometheusRule, PodMonitor and AlertmanagerConfig, for installs whose
   * ruleSelector, podMonitorSelector or alertmanagerConfigSelector select something else. Not
   * heapwatch's own app.kubernetes.io/* labels (refused: they find heapwatch's objects).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The namespace kube-prometheus-stack runs in: the PrometheusRule and the dashboard ConfigMap go
   * there, and the watched apps' NetworkPolicies let its Prometheus pods scrape the sidecar.
   * @default "monitoring"
   */
  readonly namespace: string;
}

export interface AlertsConfig {
  /**
   * runbook_url is this plus "/<AlertName>.md" (the files in alerts/runbooks/).
   * @default "https://github.com/heapwatch/heapwatch/blob/main/alerts/runbooks"
   */
  readonly runbookBaseUrl: string;
  /** NodejsHeapUsageHigh's `for`. @default "5m" */
  readonly heapHighFor: string;
  /** NodejsHeapLeakSuspected: how far ahead the live heap is forecast. @default "4h" */
  readonly leakForecastHorizon: string;
  /** NodejsHeapLeakSuspected: the window the forecast is fitted over. @default "1h" */
  readonly leakLookback: string;
  /** NodejsHeapLeakSuspected stays silent this long after a (re)start. @default "30m" */
  readonly leakStartupGrace: string;
  /** NodejsGcPressureHigh: share of wall time in GC. @default 0.10 */
  readonly gcPressureRatio: number;
  /** @default "10m" */
  readonly gcPressureFor: string;
  /** NodejsContainerMemoryNearLimit: RSS as a share of the container limit. @default 0.90 */
  readonly containerMemoryRatio: number;
  /** @default "5m" */
  readonly containerMemoryFor: string;
  /** NodejsContainerOOMKilled: how recent the OOM-killed restart must be. @default "15m" */
  readonly oomWindow: string;
  /** HeapwatchExporterDown's `for`. @default "5m" */
  readonly exporterDownFor: string;
  /** HeapwatchAgentMissing's `for`. @default "5m" */
  readonly agentMissingFor: string;
}

export interface SlackConfig {
  /** Send alerts to Slack. @default true */
  readonly enabled: boolean;
  /**
   * Secret (in the stack's namespace) whose key holds the incoming-webhook URL. Never the URL itself.
   * @default "heapwatch-slack"
   */
  readonly webhookSecretName: string;
  /** @default "webhook-url" */
  readonly webhookSecretKey: string;
  /** Channel for severity=critical. @default "#heapwatch-critical" */
  readonly criticalChannel: string;
  /** Channel for severity=warning. @default "#heapwatch-warnings" */
  readonly warningChannel: string;
  /** Channel for the always-firing Watchdog (its own receiver). @default "#heapwatch-watchdog" */
  readonly watchdogChannel: string;
}

export interface RemoteWriteTarget {
  /** http(s) URL of a remote-write endpoint (Thanos, Mimir, ...). */
  readonly url: string;
  /** @default - derived from the URL */
  readonly name?: string;
}

export interface PrometheusConfig {
  /** @default "quay.io/prometheus/prometheus:v2.55.1" */
  readonly image: string;
  /** @default 1 */
  readonly replicas: number;
  /** TSDB retention. Long enough for the 30-day success targets. @default "35d" */
  readonly retention: string;
  /** Keep the TSDB on a PersistentVolumeClaim; false for an emptyDir (data lost on reschedule). @default true */
  readonly persistentStorage: boolean;
  /** Size of the claim. @default "20Gi" */
  readonly storageSize: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * Rule evaluation interval. In operator mode, the `interval` of each of heapwatch's rule groups
   * that has none of its own (kube-prometheus-stack's global interval is 30s by default).
   * @default "15s"
   */
  readonly evaluationInterval: string;
  /** @default [] */
  readonly remoteWrite: readonly RemoteWriteTarget[];
  /**
   * Labels added to every series and alert this Prometheus sends out (remote_write, Alertmanager),
   * such as `{ cluster: "eu-1" }`: Mimir's HA tracker needs a cluster label beside `replica`, and a
   * store fed by several clusters tells them apart by it. `replica` is heapwatch's own.
   * @default - none
   */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /**
   * Drop, at scrape time, the sidecar series that no rule, dashboard panel or runbook reads
   * (UNUSED_SIDECAR_SERIES in src/stack/unused-series.ts: the OpenTelemetry host metrics, the
   * sidecar's own process metrics, its rejected-reading counter), 20 of a pod's 100 samples; the
   * sidecar still serves them on /metrics. In operator mode this is the PodMonitor's
   * metricRelabelings. false keeps them, for a team that reads them.
   * @default true
   */
  readonly dropUnusedSeries: boolean;
  /** @default { cpuRequest: "250m", cpuLimit: "1", memoryRequest: "1Gi", memoryLimit: "2Gi" } */
  readonly resources: Resources;
}

export interface AlertmanagerConfig {
  /** @default "quay.io/prometheus/alertmanager:v0.27.0" */
  readonly image: string;
  /** Replicas above 1 form a gossip cluster. @default 1 */
  readonly replicas: number;
  /**
   * Keep the notification log and silences on a PersistentVolumeClaim, so a restarted
   * Alertmanager does not resend; false for an emptyDir. @default true
   */
  readonly persistentStorage: boolean;
  /** Size of the claim. @default "1Gi" */
  readonly storageSize: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default "30s" */
  readonly groupWait: string;
  /** @default "5m" */
  readonly groupInterval: string;
  /** @default "4h" */
  readonly repeatInterval: string;
  /** @default { cpuRequest: "50m", cpuLimit: "200m", memoryRequest: "64Mi", memoryLimit: "128Mi" } */
  readonly resources: Resources;
}

export interface GrafanaConfig {
  /** @default "docker.io/grafana/grafana:12.4.5" */
  readonly image: string;
  /** Secret with keys admin-user and admin-password (created by you). @default "heapwatch-grafana-admin" */
  readonly adminSecretName: string;
  /** The URL people open Grafana at; alert dashboard links start with it. @default "http://localhost:3000" */
  readonly externalUrl: string;
  /** @default { cpuRequest: "50m", cpuLimit: "500m", memoryRequest: "128Mi", memoryLimit: "256Mi" } */
  readonly resources: Resources;
}

export interface KubeStateMetricsConfig {
  /** @default "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0" */
  readonly image: string;
  /** @default { cpuRequest: "20m", cpuLimit: "200m", memoryRequest: "64Mi", memoryLimit: "128Mi" } */
  readonly resources: Resources;
}
