/**
 * prometheus.yml as an object, from the config. Kept pure (no constructs) so the tests
 * can run promtool on it and the demo can run a real Prometheus on it.
 */
import { derive, formatDuration, requireResolved, ResolvedConfig } from '../config';
import { DISCOVERY, JOBS, REPLICA_LABEL, TARGET_LABELS } from '../contract';
import { ALERTMANAGER, KUBE_STATE_METRICS, PROMETHEUS, PROMETHEUS_PATHS, serviceHost, statefulPodHosts } from './names';
import { UNUSED_SIDECAR_SERIES_REGEX } from './unused-series';

/** cAdvisor series heapwatch reads; the rest are dropped at scrape time to keep the TSDB small. */
const CADVISOR_KEEP = 'container_memory_working_set_bytes|container_memory_rss|container_spec_memory_limit_bytes|container_oom_events_total|container_cpu_usage_seconds_total';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Above one replica, each Prometheus carries `replica: <its pod name>` as an external label, so
 * Thanos or Mimir can deduplicate what the replicas remote_write. A config file cannot name its
 * own pod: the StatefulSet puts the pod name in POD_NAME (downward API) and Prometheus expands
 * `${POD_NAME}` in external labels (--enable-feature=expand-external-labels).
 */
export { REPLICA_LABEL };
export const POD_NAME_ENV = 'POD_NAME';
export const EXPAND_EXTERNAL_LABELS = '--enable-feature=expand-external-labels';

/** Prometheus's own pod label that the pod-discovery relabelling reads, in meta-label form. */
const metaLabel = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
const metaLabelPresent = (label: string) => `__meta_kubernetes_pod_labelpresent_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;

export function buildPrometheusConfig(c: ResolvedConfig): Record<string, any> {
  requireResolved(c, 'buildPrometheusConfig()');
  const d = derive(c);
  const alertmanagers = statefulPodHosts(ALERTMANAGER.name, ALERTMANAGER.headless, c.namespace, c.alertmanager.replicas)
    .map((h) => `${h}:${ALERTMANAGER.port}`);
  const config: Record<string, any> = {
    global: {
      scrape_interval: d.checkInterval,
      // Prometheus refuses a timeout longer than the interval (checks of 1-9 s).
      scrape_timeout: formatDuration(Math.min(c.heap.checkIntervalSeconds, 10)),
      evaluation_interval: c.prometheus.evaluationInterval,
    },
    rule_files: [`${PROMETHEUS_PATHS.rules}/*.yaml`],
    alerting: {
      // Every replica, by its stable name: Alertmanager deduplicates across the cluster itself,
      // and a load-balanced Service would hide a replica that stopped gossiping.
      alertmanagers: [{ static_configs: [{ targets: alertmanagers }] }],
    },
    scrape_configs: [
      { job_name: JOBS.prometheus, static_configs: [{ targets: [`localhost:${PROMETHEUS.port}`] }] },
      { job_name: JOBS.alertmanager, static_configs: [{ targets: alertmanagers }] },
      exporterJob(c),
      {
        job_name: JOBS.kubeStateMetrics,
        // KSM's own namespace/pod labels name the pods it reports on; keep them.
        honor_labels: true,
        static_configs: [{ targets: [`${serviceHost(KUBE_STATE_METRICS.name, c.namespace)}:${KUBE_STATE_METRICS.port}`] }],
      },
      cadvisorJob(),
    ],
  };
  const external: Record<string, string> = { ...c.prometheus.externalLabels };
  if (c.prometheus.replicas > 1) external[REPLICA_LABEL] = `\${${POD_NAME_ENV}}`;
  if (Object.keys(external).length > 0) config.global.external_labels = external;
  if (c.prometheus.replicas > 1) {
    // Every replica sends every alert; without its replica label they are one alert to Alertmanager.
    config.alerting.alert_relabel_configs = [{ action: 'labeldrop', regex: REPLICA_LABEL }];
  }
  if (c.prometheus.remoteWrite.length > 0) {
    config.remote_write = c.prometheus.remoteWrite.map((rw) => ({ url: rw.url, ...(rw.name ? { name: rw.name } : {}) }));
  }
  return config;
}

/**
 * Watched pods in any namespace: the discovery label plus the sidecar's named port; the series
 * nothing reads are dropped (prometheus.dropUnusedSeries, UNUSED_SIDECAR_SERIES).
 */
function exporterJob(c: ResolvedConfig) {
  return {
    job_name: JOBS.exporter,
    kubernetes_sd_configs: [{ role: 'pod' }],
    relabel_configs: [
      { source_labels: [metaLabel(DISCOVERY.podLabel)], regex: DISCOVERY.podLabelValue, action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: DISCOVERY.portName, action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed|Unknown', action: 'drop' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: TARGET_LABELS.namespace },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: TARGET_LABELS.pod },
      { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: TARGET_LABELS.container },
      { source_labels: [metaLabelPresent('app.kubernetes.io/name'), metaLabel('app.kubernetes.io/name')], regex: 'true;(.+)', target_label: TARGET_LABELS.app },
    ],
    ...(c.prometheus.dropUnusedSeries
      ? { metric_relabel_configs: [{ source_labels: ['__name__'], regex: UNUSED_SIDECAR_SERIES_REGEX, action: 'drop' }] }
      : {}),
  };
}

/** Each node's kubelet cAdvisor, through the API server proxy (no direct node access needed). */
function cadvisorJob() {
  return {
    job_name: JOBS.cadvisor,
    scheme: 'https',
    kubernetes_sd_configs: [{ role: 'node' }],
    tls_config: { ca_file: `${SA_DIR}/ca.crt` },
    authorization: { credentials_file: `${SA_DIR}/token` },
    relabel_configs: [
      { target_label: '__address__', replacement: 'kubernetes.default.svc:443' },
      { source_labels: ['__meta_kubernetes_node_name'], regex: '(.+)', target_label: '__metrics_path__', replacement: '/api/v1/nodes/$1/proxy/metrics/cadvisor' },
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
    ],
    metric_relabel_configs: [{ source_labels: ['__name__'], regex: CADVISOR_KEEP, action: 'keep' }],
  };
}
