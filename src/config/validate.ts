import { REPLICA_LABEL } from '../contract';
import { OWN_LABEL_NAMES } from '../k8s/labels';
import { SAMPLING_INTERVAL_BYTES_RANGE } from './defaults';
import { derive } from './derive';
import { DURATION_FORMS, parseDuration } from './duration';
import { LABEL_VALUE, LABEL_VALUE_RULE, labelMapProblems } from './label-syntax';
import { parseQuantity, QUANTITY_FORMS } from './quantity';
import { show } from './show';
import { DeployMode, ExporterDelivery, HeapRatioBasis, HeapwatchConfig, MetricsSource, Resources } from './types';

/**
 * Semantic checks on a merged config. Returns every problem, each naming the field,
 * the value given and what is allowed; an empty list means valid.
 */
export function validateConfig(c: HeapwatchConfig): string[] {
  const p: string[] = [];
  const check = (ok: boolean, field: string, value: unknown, allowed: string) => {
    if (!ok) p.push(`'${field}' (${show(value)}) ${allowed}`);
  };
  const ratio = (field: string, v: number) =>
    check(Number.isFinite(v) && v > 0 && v <= 1, field, v, 'must be a number in (0, 1]');
  const integer = (field: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
    check(Number.isInteger(v) && v >= min && v <= max, field, v,
      max === Number.MAX_SAFE_INTEGER ? `must be a whole number >= ${min}` : `must be a whole number from ${min} to ${max}`);
  const duration = (field: string, v: string) => check(parseDuration(v) !== undefined, field, v, `must be ${DURATION_FORMS}`);
  const dnsLabel = (field: string, v: string) =>
    check(typeof v === 'string' && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v), field, v,
      'must be an RFC 1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters');
  const dnsSubdomain = (field: string, v: string) =>
    check(typeof v === 'string' && v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v), field, v,
      'must be an RFC 1123 subdomain: lower-case letters, digits, "-" and ".", at most 253 characters');
  const secretKey = (field: string, v: string) =>
    check(typeof v === 'string' && /^[-._a-zA-Z0-9]{1,253}$/.test(v), field, v, 'must be a Secret key: letters, digits, "-", "_" and "."');
  const httpUrl = (field: string, v: string) => check(isHttpUrl(v), field, v, 'must be an absolute http:// or https:// URL');
  const image = (field: string, v: string) => {
    const why = imageProblem(v);
    if (why) p.push(`'${field}' (${show(v)}) ${why}`);
  };
  const port = (field: string, v: number) => {
    integer(field, v, 1, 65535);
    check(v !== 9229, field, v, 'must not be 9229: that is the Node.js inspector port, which heapwatch never opens');
  };
  const resources = (field: string, r: Resources) => {
    const memReq = parseQuantity(r.memoryRequest);
    const memLim = parseQuantity(r.memoryLimit);
    const cpuReq = parseQuantity(r.cpuRequest);
    const cpuLim = parseQuantity(r.cpuLimit);
    check(memReq !== undefined && memReq > 0, `${field}.memoryRequest`, r.memoryRequest, `must be ${QUANTITY_FORMS}, above zero`);
    check(memLim !== undefined && memLim > 0, `${field}.memoryLimit`, r.memoryLimit, `must be ${QUANTITY_FORMS}, above zero`);
    check(cpuReq !== undefined && cpuReq > 0, `${field}.cpuRequest`, r.cpuRequest, 'must be a CPU quantity such as "100m" or "1", above zero');
    check(cpuLim !== undefined && cpuLim > 0, `${field}.cpuLimit`, r.cpuLimit, 'must be a CPU quantity such as "100m" or "1", above zero');
    if (memReq && memLim) check(memReq <= memLim, `${field}.memoryRequest`, r.memoryRequest, `must not exceed ${field}.memoryLimit (${show(r.memoryLimit)})`);
    if (cpuReq && cpuLim) check(cpuReq <= cpuLim, `${field}.cpuRequest`, r.cpuRequest, `must not exceed ${field}.cpuLimit (${show(r.cpuLimit)})`);
  };
  const storage = (field: string, v: string) => check((parseQuantity(v) ?? 0) > 0, field, v, `must be ${QUANTITY_FORMS}, above zero`);

  // mode and operator
  check(Object.values(DeployMode).includes(c.mode), 'mode', c.mode,
    `must be one of ${Object.values(DeployMode).map((v) => show(v)).join(', ')}`);
  p.push(...operatorProblems(c));

  // namespace and names
  dnsLabel('namespace', c.namespace);
  dnsLabel('app.namespace', c.app.namespace);
  dnsLabel('app.name', c.app.name);

  // heap
  const h = c.heap;
  ratio('heap.highRatio', h.highRatio);
  ratio('heap.targetRatio', h.targetRatio);
  if (Number.isFinite(h.targetRatio) && Number.isFinite(h.highRatio) && h.targetRatio >= h.highRatio) {
    p.push(`'heap.targetRatio' (${show(h.targetRatio)}) must be below 'heap.highRatio' (${show(h.highRatio)})`);
  }
  integer('heap.checkIntervalSeconds', h.checkIntervalSeconds, 1, 300);
  integer('heap.streakAlertChecks', h.streakAlertChecks, 1);
  integer('heap.livenessFailChecks', h.livenessFailChecks, 0);
  if (Number.isInteger(h.livenessFailChecks) && h.livenessFailChecks > 0 && h.livenessFailChecks <= h.streakAlertChecks) {
    p.push(`'heap.livenessFailChecks' (${h.livenessFailChecks}) must be 0 (disabled) or above 'heap.streakAlertChecks' ` +
      `(${show(h.streakAlertChecks)}), so the streak alert pages before the restart`);
  }
  integer('heap.startupGraceSeconds', h.startupGraceSeconds, 0, 3600);
  check(Object.values(HeapRatioBasis).includes(h.ratioBasis), 'heap.ratioBasis', h.ratioBasis,
    `must be one of ${Object.values(HeapRatioBasis).map((v) => show(v)).join(', ')}`);
  check(Number.isFinite(h.oldSpaceLimitRatio) && h.oldSpaceLimitRatio >= 0.25 && h.oldSpaceLimitRatio <= 0.9,
    'heap.oldSpaceLimitRatio', h.oldSpaceLimitRatio, 'must be a number from 0.25 to 0.9 (the rest of the container limit is for new space, code and native memory)');

  const ap = h.allocationProfile;
  check(typeof ap === 'object' && ap !== null, 'heap.allocationProfile', ap, 'must be an object { enabled, samplingIntervalBytes }');
  if (typeof ap === 'object' && ap !== null) {
    check(typeof ap.enabled === 'boolean', 'heap.allocationProfile.enabled', ap.enabled, 'must be true or false');
    integer('heap.allocationProfile.samplingIntervalBytes', ap.samplingIntervalBytes, SAMPLING_INTERVAL_BYTES_RANGE.min, SAMPLING_INTERVAL_BYTES_RANGE.max);
  }

  // app
  const a = c.app;
  image('app.image', a.image);
  if (a.command !== undefined) {
    check(Array.isArray(a.command) && a.command.length > 0 && a.command.every((s) => typeof s === 'string' && s !== ''),
      'app.command', a.command, 'must be a non-empty list of non-empty strings, or left unset for the image entrypoint');
  }
  port('app.port', a.port);
  port('app.livenessPort', a.livenessPort);
  integer('app.replicas', a.replicas, 1);
  resources('app.resources', a.resources);
  const appLimit = parseQuantity(a.resources.memoryLimit);
  if (appLimit !== undefined && Number.isFinite(h.oldSpaceLimitRatio)) {
    check(appLimit * h.oldSpaceLimitRatio >= 64 * 2 ** 20, 'app.resources.memoryLimit', a.resources.memoryLimit,
      `leaves ${Math.floor((appLimit * h.oldSpaceLimitRatio) / 2 ** 20)} MiB of V8 old space at heap.oldSpaceLimitRatio ${h.oldSpaceLimitRatio}; at least 64 MiB is needed`);
  }
  check(!/--max-old-space-size|--max-semi-space-size|--require[ =].*heapwatch/.test(a.nodeOptions), 'app.nodeOptions', a.nodeOptions,
    'must not set --max-old-space-size, --max-semi-space-size or require the heapwatch agent: they are derived (set app.resources.memoryLimit, heap.oldSpaceLimitRatio, heap.maxSemiSpaceMiB)');
  if (h.maxSemiSpaceMiB !== undefined) {
    check([1, 2, 4, 8, 16, 32, 64, 128].includes(h.maxSemiSpaceMiB), 'heap.maxSemiSpaceMiB', h.maxSemiSpaceMiB,
      'must be a power of two from 1 to 128 (V8 rounds semi-spaces to one), or left unset to derive it');
  }
  if (appLimit !== undefined && Number.isFinite(h.oldSpaceLimitRatio) && Number.isFinite(h.highRatio) && p.length === 0) {
    // Only on an otherwise valid config: the bound depends on several fields being sane.
    const reachable = derive(c).maxReachableRatio;
    check(h.highRatio < reachable, 'heap.highRatio', h.highRatio,
      `must be below ${reachable.toFixed(3)}, the highest heap ratio this app can reach before its old space is full ` +
      '(heap_size_limit adds three semi-spaces of young generation to the old space); lower it, or lower heap.maxSemiSpaceMiB');
  }
  check(!/--inspect/.test(a.nodeOptions), 'app.nodeOptions', a.nodeOptions, 'must not open the inspector (--inspect*): heapwatch never exposes port 9229');

  // exporter
  const e = c.exporter;
  image('exporter.image', e.image);
  check(Object.values(ExporterDelivery).includes(e.delivery), 'exporter.delivery', e.delivery,
    `must be one of ${Object.values(ExporterDelivery).map((v) => show(v)).join(', ')}`);
  // The official Node.js image carries no heapwatch code: image delivery needs the one you built.
  check(e.delivery !== ExporterDelivery.IMAGE || !/^(docker\.io\/)?(library\/)?node[:@]/.test(e.image), 'exporter.image', e.image,
    "must be the image you built from src/exporter/Dockerfile when exporter.delivery is 'image' (README, \"Image delivery\")");
  port('exporter.port', e.port);
  check(Object.values(MetricsSource).includes(e.source), 'exporter.source', e.source,
    `must be one of ${Object.values(MetricsSource).map((v) => show(v)).join(', ')}`);
  check(typeof e.sidecar === 'boolean', 'exporter.sidecar', e.sidecar, 'must be true (the exporter sidecar) or false (lean mode: the agent serves the metrics)');
  check(e.sidecar !== false || e.source === MetricsSource.AGENT, 'exporter.sidecar', e.sidecar,
    `can be false only with exporter.source ${show(MetricsSource.AGENT)}: in lean mode the agent serves the metrics (exporter.source is ${show(e.source)})`);
  check(typeof e.scrapePath === 'string' && /^\/[^\s?#]*$/.test(e.scrapePath), 'exporter.scrapePath', e.scrapePath, 'must be a URL path starting with "/"');
  resources('exporter.resources', e.resources);
  dnsSubdomain('exporter.snapshots.tokenSecretName', e.snapshots.tokenSecretName);
  secretKey('exporter.snapshots.tokenSecretKey', e.snapshots.tokenSecretKey);
  integer('exporter.snapshots.maxKept', e.snapshots.maxKept, 1, 100);
  duration('exporter.snapshots.cooldown', e.snapshots.cooldown);
  storage('exporter.snapshots.volumeSizeLimit', e.snapshots.volumeSizeLimit);
  const ports = [['app.port', a.port], ['app.livenessPort', a.livenessPort], ['exporter.port', e.port]] as const;
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i][1] === ports[j][1]) p.push(`'${ports[j][0]}' (${ports[j][1]}) must differ from '${ports[i][0]}' (${ports[i][1]}): the containers share one pod network`);
    }
  }

  // alerts
  const al = c.alerts;
  httpUrl('alerts.runbookBaseUrl', al.runbookBaseUrl);
  for (const key of ['heapHighFor', 'leakForecastHorizon', 'leakLookback', 'leakStartupGrace', 'gcPressureFor',
    'containerMemoryFor', 'oomWindow', 'exporterDownFor', 'agentMissingFor'] as const) {
    duration(`alerts.${key}`, al[key]);
  }
  ratio('alerts.gcPressureRatio', al.gcPressureRatio);
  ratio('alerts.containerMemoryRatio', al.containerMemoryRatio);

  // slack
  const s = c.slack;
  if (s.enabled) {
    check(typeof s.webhookSecretName === 'string' && !/^https?:/i.test(s.webhookSecretName), 'slack.webhookSecretName', redactUrl(s.webhookSecretName),
      'must name a Kubernetes Secret, not hold the webhook URL: a secret must never be written into the manifests');
    if (!/^https?:/i.test(s.webhookSecretName)) dnsSubdomain('slack.webhookSecretName', s.webhookSecretName);
    secretKey('slack.webhookSecretKey', s.webhookSecretKey);
    for (const key of ['criticalChannel', 'warningChannel', 'watchdogChannel'] as const) {
      check(typeof s[key] === 'string' && /^[#@][a-z0-9][-_.a-z0-9]{0,79}$/.test(s[key]), `slack.${key}`, s[key],
        'must be a Slack channel such as "#alerts" (lower-case, "#" or "@" first) when slack.enabled is true');
    }
  }

  // prometheus
  const pr = c.prometheus;
  image('prometheus.image', pr.image);
  integer('prometheus.replicas', pr.replicas, 1);
  duration('prometheus.retention', pr.retention);
  duration('prometheus.evaluationInterval', pr.evaluationInterval);
  storage('prometheus.storageSize', pr.storageSize);
  if (pr.storageClassName !== undefined) dnsSubdomain('prometheus.storageClassName', pr.storageClassName);
  pr.remoteWrite.forEach((rw, i) => {
    httpUrl(`prometheus.remoteWrite[${i}].url`, rw?.url);
    if (rw && /\/\/[^/@]*:[^/@]*@/.test(rw.url)) {
      p.push(`'prometheus.remoteWrite[${i}].url' must not carry credentials (user:password@): a secret must never be written into the manifests`);
    }
    if (rw?.name !== undefined) dnsLabel(`prometheus.remoteWrite[${i}].name`, rw.name);
  });
  if (pr.externalLabels !== undefined) externalLabels(pr.externalLabels, p);
  resources('prometheus.resources', pr.resources);

  // alertmanager
  const am = c.alertmanager;
  image('alertmanager.image', am.image);
  integer('alertmanager.replicas', am.replicas, 1);
  storage('alertmanager.storageSize', am.storageSize);
  if (am.storageClassName !== undefined) dnsSubdomain('alertmanager.storageClassName', am.storageClassName);
  duration('alertmanager.groupWait', am.groupWait);
  duration('alertmanager.groupInterval', am.groupInterval);
  duration('alertmanager.repeatInterval', am.repeatInterval);
  resources('alertmanager.resources', am.resources);

  // grafana and kube-state-metrics
  image('grafana.image', c.grafana.image);
  dnsSubdomain('grafana.adminSecretName', c.grafana.adminSecretName);
  httpUrl('grafana.externalUrl', c.grafana.externalUrl);
  resources('grafana.resources', c.grafana.resources);
  image('kubeStateMetrics.image', c.kubeStateMetrics.image);
  resources('kubeStateMetrics.resources', c.kubeStateMetrics.resources);

  return p;
}

/** operator.*: the release label kube-prometheus-stack selects by, extra labels, its namespace. */
function operatorProblems(c: HeapwatchConfig): string[] {
  const p: string[] = [];
  const o = c.operator;
  if (!(typeof o.namespace === 'string' && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(o.namespace))) {
    p.push(`'operator.namespace' (${show(o.namespace)}) must be an RFC 1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters`);
  }
  if (o.release === undefined) {
    if (c.mode === DeployMode.OPERATOR) {
      p.push(`'operator.release' (${show(o.release)}) is required when mode is 'operator': kube-prometheus-stack's Helm release name, ` +
        'which its Prometheus selects PrometheusRules and PodMonitors by (label release=<name>; `helm list -A` shows it)');
    }
  } else if (!(typeof o.release === 'string' && o.release !== '' && LABEL_VALUE.test(o.release))) {
    p.push(`'operator.release' (${show(o.release)}) ${LABEL_VALUE_RULE}, the kube-prometheus-stack Helm release name`);
  }
  if (o.labels !== undefined) {
    if (typeof o.labels !== 'object' || o.labels === null || Array.isArray(o.labels)) {
      p.push(`'operator.labels' (${show(o.labels)}) must be an object of label names to values, such as { team: "payments" }`);
      return p;
    }
    p.push(...labelMapProblems('operator.labels', o.labels));
    for (const key of OWN_LABEL_NAMES.filter((k) => k in o.labels!)) {
      p.push(`'operator.labels' key (${show(key)}) is one of heapwatch's own labels, which it sets on every object ` +
        `(${OWN_LABEL_NAMES.join(', ')}; \`kubectl get ... -l app.kubernetes.io/part-of=heapwatch\` finds them by these): ` +
        'choose another label name, such as "team"');
    }
    if ('release' in o.labels && o.release !== undefined && o.labels.release !== o.release) {
      p.push(`'operator.labels.release' (${show(o.labels.release)}) must not differ from 'operator.release' (${show(o.release)}): set the release label through operator.release`);
    }
  }
  return p;
}

/** Why an image reference is refused, or undefined when it is pinned. */
function imageProblem(ref: unknown): string | undefined {
  if (typeof ref !== 'string' || ref.trim() === '') return 'must be an image reference with an explicit tag or digest, such as "repo/name:1.2.3"';
  if (/\s/.test(ref)) return 'must not contain spaces';
  if (/@sha256:[a-f0-9]{64}$/.test(ref)) return undefined;
  const lastSegment = ref.split('/').pop() ?? '';
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'must carry an explicit tag or digest (no tag means "latest"), such as "repo/name:1.2.3"';
  const tag = lastSegment.slice(colon + 1);
  if (tag === 'latest') return 'must not use the "latest" tag: pin a version so every pod runs the same image';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return 'has an invalid tag: letters, digits, "_", "." and "-", at most 128';
  return undefined;
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Error messages must not echo a webhook URL back into logs: keep the host, hide the path. */
function redactUrl(v: string): string {
  try {
    const u = new URL(v);
    return `${u.protocol}//${u.host}/…(redacted)`;
  } catch {
    return v;
  }
}

/**
 * prometheus.externalLabels: Prometheus label names (not `__`-reserved, not heapwatch's `replica`),
 * non-empty values without `$` (with replicas, Prometheus expands `${VAR}` in external labels).
 */
function externalLabels(labels: unknown, p: string[]): void {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    p.push(`'prometheus.externalLabels' (${show(labels)}) must be an object of label names to values, such as { cluster: "eu-1" }`);
    return;
  }
  for (const [name, value] of Object.entries(labels)) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name.startsWith('__')) {
      p.push(`'prometheus.externalLabels' key (${show(name)}) must be a Prometheus label name: a letter or "_", then letters, digits and "_", not starting with "__"`);
    } else if (name === REPLICA_LABEL) {
      p.push(`'prometheus.externalLabels.${name}' is heapwatch's own: with prometheus.replicas above 1 each replica sets it to its pod name; choose another name`);
    } else if (typeof value !== 'string' || value === '' || value.includes('$')) {
      p.push(`'prometheus.externalLabels.${name}' (${show(value)}) must be a non-empty string without "$"`);
    }
  }
}
