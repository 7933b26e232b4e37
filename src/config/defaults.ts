import { DeployMode, ExporterDelivery, HeapRatioBasis, HeapwatchConfig, MetricsSource } from './types';

/**
 * Every default in one place: src/config/types.ts (and stack-types.ts) says why each one is what it is, and tests keep
 * those @default tags and the README's config table equal to this object. Optional fields that have
 * no default are listed as `undefined` so the validator knows they exist.
 */
export const DEFAULT_CONFIG: HeapwatchConfig = {
  mode: DeployMode.STANDALONE,
  operator: {
    release: undefined,
    labels: undefined,
    namespace: 'monitoring',
  },
  namespace: 'heapwatch',
  heap: {
    highRatio: 0.85,
    targetRatio: 0.7,
    checkIntervalSeconds: 15,
    streakAlertChecks: 20,
    livenessFailChecks: 60,
    startupGraceSeconds: 120,
    ratioBasis: HeapRatioBasis.LIMIT,
    oldSpaceLimitRatio: 0.75,
    maxSemiSpaceMiB: undefined,
    snapshotBeforeRestart: true,
    allocationProfile: { enabled: true, samplingIntervalBytes: 524288 },
  },
  app: {
    name: 'sample-app',
    namespace: 'default',
    image: 'docker.io/library/node:24.11.1-alpine3.22',
    command: undefined,
    port: 3000,
    replicas: 1,
    resources: { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '1Gi' },
    nodeOptions: '',
    exposeGc: false,
    livenessPort: 9465,
  },
  exporter: {
    image: 'docker.io/library/node:24.11.1-alpine3.22',
    delivery: ExporterDelivery.CONFIGMAP,
    sidecar: true,
    port: 9464,
    source: MetricsSource.AGENT,
    scrapePath: '/metrics',
    resources: { cpuRequest: '20m', cpuLimit: '200m', memoryRequest: '96Mi', memoryLimit: '160Mi' },
    snapshots: {
      tokenSecretName: 'heapwatch-snapshot-token',
      tokenSecretKey: 'token',
      maxKept: 3,
      cooldown: '5m',
      volumeSizeLimit: '2Gi',
    },
  },
  alerts: {
    runbookBaseUrl: 'https://github.com/heapwatch/heapwatch/blob/main/alerts/runbooks',
    heapHighFor: '5m',
    leakForecastHorizon: '4h',
    leakLookback: '1h',
    leakStartupGrace: '30m',
    gcPressureRatio: 0.1,
    gcPressureFor: '10m',
    containerMemoryRatio: 0.9,
    containerMemoryFor: '5m',
    oomWindow: '15m',
    exporterDownFor: '5m',
    agentMissingFor: '5m',
  },
  slack: {
    enabled: true,
    webhookSecretName: 'heapwatch-slack',
    webhookSecretKey: 'webhook-url',
    criticalChannel: '#heapwatch-critical',
    warningChannel: '#heapwatch-warnings',
    watchdogChannel: '#heapwatch-watchdog',
  },
  prometheus: {
    image: 'quay.io/prometheus/prometheus:v2.55.1',
    replicas: 1,
    retention: '35d',
    persistentStorage: true,
    storageSize: '20Gi',
    storageClassName: undefined,
    evaluationInterval: '15s',
    remoteWrite: [],
    externalLabels: undefined,
    dropUnusedSeries: true,
    resources: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' },
  },
  alertmanager: {
    image: 'quay.io/prometheus/alertmanager:v0.27.0',
    replicas: 1,
    persistentStorage: true,
    storageSize: '1Gi',
    storageClassName: undefined,
    groupWait: '30s',
    groupInterval: '5m',
    repeatInterval: '4h',
    resources: { cpuRequest: '50m', cpuLimit: '200m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
  },
  grafana: {
    image: 'docker.io/grafana/grafana:12.4.5',
    adminSecretName: 'heapwatch-grafana-admin',
    externalUrl: 'http://localhost:3000',
    resources: { cpuRequest: '50m', cpuLimit: '500m', memoryRequest: '128Mi', memoryLimit: '256Mi' },
  },
  kubeStateMetrics: {
    image: 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0',
    resources: { cpuRequest: '20m', cpuLimit: '200m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
  },
};

/** heap.allocationProfile.samplingIntervalBytes allowed: 1 KiB (a sample every few objects) to 64 MiB (a handful per heap). */
export const SAMPLING_INTERVAL_BYTES_RANGE = { min: 1024, max: 64 * 1024 * 1024 } as const;
