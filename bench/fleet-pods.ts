/**
 * The fleet that bench:fleet puts in front of a real Prometheus: N watched pods, each exporting
 * one real sidecar's /metrics body (taken from the bundled sidecar reading a real agent, see
 * fleet.ts) with its values changed per pod and over time, plus the kube-state-metrics and
 * cAdvisor series a cluster gives for the same pods. Every value is a pure function of
 * (pod, time), so the history written for backfill and what the server answers later are one
 * continuous series.
 *
 * Mix: most pods healthy (ratio 0.35-0.65), 7 % high (0.86-0.93, streak counting), 3 % leaking
 * (live heap after GC climbing towards the limit within about 2 h), 0.5 % OOM-killed 10 minutes
 * ago. 20 pods per app, 10 apps per namespace, 30 pods per node.
 */
import { ALLOCATION_SITES, CONTAINERS, DISCOVERY, JOBS, METRICS, RECORDS, TARGET_LABELS } from '../src/contract';

export const PODS_PER_APP = 20;
const APPS_PER_NAMESPACE = 10;
export const PODS_PER_NODE = 30;
const HEAP_LIMIT = 1_006_632_960; // 960 MiB: a 1Gi container's heap size limit on Node 24
const CONTAINER_LIMIT = 1_073_741_824;
const GC_KINDS = ['major', 'minor', 'incremental', 'weakcb'];
/** Seconds a pod has been running when the bench starts (long enough for the leak grace). */
const UPTIME = 6 * 3600;

export type Health = 'healthy' | 'high' | 'leaking';

export interface Pod {
  readonly index: number;
  readonly namespace: string;
  readonly app: string;
  readonly name: string;
  readonly node: string;
  readonly instance: string;
  readonly health: Health;
  readonly oomKilled: boolean;
  /** A per-pod phase in [0, 1), so pods do not move in step. */
  readonly phase: number;
}

export function fleet(n: number): Pod[] {
  return Array.from({ length: n }, (_, i) => {
    const appIndex = Math.floor(i / PODS_PER_APP);
    const app = `svc-${appIndex}`;
    const phase = ((i * 2654435761) % 1000) / 1000;
    return {
      index: i,
      namespace: `team-${Math.floor(appIndex / APPS_PER_NAMESPACE)}`,
      app,
      name: `${app}-7d9f8c-${(i % PODS_PER_APP).toString(36).padStart(5, 'x')}`,
      node: `node-${Math.floor(i / PODS_PER_NODE)}`,
      instance: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9464`,
      health: i % 100 < 90 ? 'healthy' : i % 100 < 97 ? 'high' : 'leaking',
      oomKilled: i % 200 === 7,
      phase,
    };
  });
}

/** Labels Prometheus attaches to a sidecar target (what pod discovery's relabelling gives). */
export function targetLabels(p: Pod): Record<string, string> {
  return {
    [TARGET_LABELS.namespace]: p.namespace, [TARGET_LABELS.pod]: p.name, [TARGET_LABELS.app]: p.app,
    [TARGET_LABELS.container]: CONTAINERS.exporter, instance: p.instance,
  };
}

/** Heap used / limit at time t (seconds). */
function ratio(p: Pod, t: number): number {
  const wave = 0.03 * Math.sin(t / 300 + p.phase * 6.28);
  if (p.health === 'healthy') return 0.35 + 0.3 * p.phase + wave;
  if (p.health === 'high') return 0.86 + 0.07 * p.phase + wave / 3;
  return Math.min(0.97, liveAfterGc(p, t) / HEAP_LIMIT + 0.08 + wave / 3);
}

function liveAfterGc(p: Pod, t: number): number {
  const base = (0.25 + 0.25 * p.phase) * HEAP_LIMIT;
  if (p.health !== 'leaking') return base + 0.01 * HEAP_LIMIT * Math.sin(t / 900 + p.phase * 6.28);
  // From half the limit to the limit in 2 h, repeating (a restart clears it): forecast fires.
  const cycle = 7200;
  return 0.5 * HEAP_LIMIT + 0.5 * HEAP_LIMIT * (((t + p.phase * cycle) % cycle) / cycle);
}

const startTime = (p: Pod, t0: number) => t0 - UPTIME - Math.floor(p.phase * 3600);
/** GC seconds per second by kind: high heaps collect more. */
const gcRate = (p: Pod, kind: string) => (p.health === 'healthy' ? 0.004 : 0.03) * (kind === 'major' ? 2 : kind === 'minor' ? 1 : 0.2);

/**
 * A sample in the real body: its name and label text, how its value moves, and the real value.
 * Counters grow with time from the real value; gauges wobble around it; the rule inputs follow
 * the pod's health.
 */
interface Line {
  readonly head: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly base: number;
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2];
  return out;
}

/** The sidecar body as a template: comments kept, GC histograms for every kind, every rule input present. */
export class SidecarTemplate {
  readonly comments: string;
  readonly lines: Line[];
  /** Families the sampled body lacked and the template added (a short-lived process had not produced them yet). */
  readonly added: string[] = [];

  constructor(body: string) {
    const lines: Line[] = [];
    const comments: string[] = [];
    for (const raw of body.split('\n')) {
      if (raw === '') continue;
      if (raw.startsWith('#')) { comments.push(raw); continue; }
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(raw);
      if (!m) throw new Error(`bench:fleet cannot read this line of the sidecar's /metrics: ${raw}`);
      lines.push({ head: `${m[1]}${m[2] ?? ''}`, name: m[1], labels: parseLabels(m[2] ?? ''), base: Number(m[3]) });
    }
    // GC kinds the sampled process had not run yet: copy the histogram of a kind it had.
    const gc = lines.filter((l) => l.name.startsWith(METRICS.gcDuration) && l.labels.kind);
    const seen = new Set(gc.map((l) => l.labels.kind));
    const model = gc.filter((l) => l.labels.kind === gc[0]?.labels.kind);
    for (const kind of GC_KINDS.filter((k) => !seen.has(k))) {
      for (const l of model) {
        const labels = { ...l.labels, kind };
        lines.push({ head: `${l.name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`, name: l.name, labels, base: l.base });
      }
      this.added.push(`${METRICS.gcDuration}{kind="${kind}"}`);
    }
    for (const name of [METRICS.liveAfterGc, METRICS.containerMemoryLimit]) {
      if (!lines.some((l) => l.name === name)) {
        lines.push({ head: name, name, labels: {}, base: 0 });
        comments.push(`# TYPE ${name} gauge`);
        this.added.push(name);
      }
    }
    // The top allocation sites the profiler names once it has read a profile (a minute after start,
    // so the short-lived sample has none): the heap alerts' messages read them.
    if (!lines.some((l) => l.name === METRICS.allocationSiteBytes)) {
      for (let i = 0; i < ALLOCATION_SITES.max; i++) {
        const labels = { function: `Service${i}.handle`, location: `src/service-${i}.ts:${10 + i}` };
        lines.push({ head: `${METRICS.allocationSiteBytes}{function="${labels.function}",location="${labels.location}"}`, name: METRICS.allocationSiteBytes, labels, base: 40e6 / (i + 1) });
      }
      lines.push({ head: METRICS.allocationSampledBytes, name: METRICS.allocationSampledBytes, labels: {}, base: 120e6 });
      comments.push(`# TYPE ${METRICS.allocationSiteBytes} gauge`, `# TYPE ${METRICS.allocationSampledBytes} gauge`);
      this.added.push(`${METRICS.allocationSiteBytes} (${ALLOCATION_SITES.max} sites)`, METRICS.allocationSampledBytes);
    }
    this.lines = lines;
    this.comments = comments.join('\n');
  }

  /** The body pod p serves at time t (seconds); t0 is the bench's start. */
  render(p: Pod, t: number, t0: number): string {
    const parts: string[] = [this.comments];
    for (const l of this.lines) parts.push(`${l.head} ${format(sidecarValue(l, p, t, t0))}`);
    parts.push('');
    return parts.join('\n');
  }
}

const format = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(8));

function sidecarValue(l: Line, p: Pod, t: number, t0: number): number {
  const r = ratio(p, t);
  switch (l.name) {
    case METRICS.heapUsedRatio: return r;
    case METRICS.heapUsedTotalRatio: return Math.min(0.98, r / 0.95 + 0.04);
    case METRICS.heapUsed: return r * HEAP_LIMIT;
    case METRICS.heapTotal: return Math.min(HEAP_LIMIT, r * HEAP_LIMIT * 1.08);
    case METRICS.heapLimit: return HEAP_LIMIT;
    case METRICS.liveAfterGc: return Math.round(liveAfterGc(p, t));
    case METRICS.containerMemoryLimit: return CONTAINER_LIMIT;
    case METRICS.rss: return Math.round(r * HEAP_LIMIT * 1.05 + 70e6);
    case METRICS.startTime: return startTime(p, t0);
    case METRICS.highStreak: return r > 0.85 ? Math.floor((t - t0 + UPTIME) / 15) % 200 : 0;
    case METRICS.agentUp: return 1;
    case METRICS.appRestarts: case METRICS.snapshots: case METRICS.forcedGc: return l.base; // events, not time
  }
  const age = t - startTime(p, t0);
  if (l.name === `${METRICS.gcDuration}_sum`) return age * gcRate(p, l.labels.kind);
  if (l.name.startsWith(METRICS.gcDuration)) return Math.floor(age * gcRate(p, l.labels.kind) * 400 * (l.labels.le === '+Inf' ? 1 : Math.min(1, Number(l.labels.le) * 50)));
  if (/_total$|_count$|_bucket$|_sum$/.test(l.name)) return l.base + Math.floor(age / 60);
  return l.base === 0 ? 0 : l.base * (1 + 0.02 * Math.sin(t / 120 + p.phase * 6.28));
}

/** The OOM-killed pods restarted 10 minutes before the bench started. */
const restarts = (p: Pod, container: string, t: number, t0: number) => (p.oomKilled && container === CONTAINERS.app && t >= t0 - 600 ? 1 : 0);

/** kube-state-metrics v2 pod families for the watched pods (KSM reports every pod; these are the watched ones). */
export function kubeStateMetricsBody(pods: readonly Pod[], t: number, t0: number): string {
  const out: string[] = [];
  for (const p of pods) {
    const pl = `namespace="${p.namespace}",pod="${p.name}",uid="uid-${p.index}"`;
    out.push(`kube_pod_labels{${pl},label_app_kubernetes_io_name="${p.app}",label_${DISCOVERY.podLabel.replace(/[^a-zA-Z0-9_]/g, '_')}="${DISCOVERY.podLabelValue}"} 1`);
    out.push(`kube_pod_info{${pl},host_ip="10.1.0.${p.index % 250}",pod_ip="${p.instance.split(':')[0]}",node="${p.node}",created_by_kind="ReplicaSet",created_by_name="${p.app}-7d9f8c",priority_class="",host_network="false"} 1`);
    out.push(`kube_pod_owner{${pl},owner_kind="ReplicaSet",owner_name="${p.app}-7d9f8c",owner_is_controller="true"} 1`);
    out.push(`kube_pod_start_time{${pl}} ${startTime(p, t0)}`, `kube_pod_created{${pl}} ${startTime(p, t0) - 5}`);
    for (const phase of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) out.push(`kube_pod_status_phase{${pl},phase="${phase}"} ${phase === 'Running' ? 1 : 0}`);
    for (const c of ['true', 'false', 'unknown']) out.push(`kube_pod_status_ready{${pl},condition="${c}"} ${c === 'true' ? 1 : 0}`);
    for (const container of [CONTAINERS.app, CONTAINERS.exporter]) {
      const cl = `${pl},container="${container}"`;
      out.push(`kube_pod_container_info{${cl},image="registry.example.test/${container}:1.0",image_id="",container_id="containerd://${p.index}"} 1`);
      out.push(`kube_pod_container_status_restarts_total{${cl}} ${restarts(p, container, t, t0)}`);
      out.push(`kube_pod_container_status_running{${cl}} 1`, `kube_pod_container_status_ready{${cl}} 1`, `kube_pod_container_status_waiting{${cl}} 0`, `kube_pod_container_status_terminated{${cl}} 0`);
      for (const res of ['cpu', 'memory']) {
        out.push(`kube_pod_container_resource_requests{${cl},node="${p.node}",resource="${res}",unit="${res === 'cpu' ? 'core' : 'byte'}"} ${res === 'cpu' ? 0.1 : CONTAINER_LIMIT}`);
        out.push(`kube_pod_container_resource_limits{${cl},node="${p.node}",resource="${res}",unit="${res === 'cpu' ? 'core' : 'byte'}"} ${res === 'cpu' ? 1 : CONTAINER_LIMIT}`);
      }
      if (restarts(p, container, t, t0) > 0) out.push(`kube_pod_container_status_last_terminated_reason{${cl},reason="OOMKilled"} 1`);
    }
  }
  out.push('');
  return out.join('\n');
}

/** The cAdvisor families heapwatch keeps (CADVISOR_KEEP), for one node's pods: both containers and the pod cgroup. */
export function cadvisorBody(pods: readonly Pod[], t: number, t0: number): string {
  const out: string[] = [];
  for (const p of pods) {
    for (const container of [CONTAINERS.app, CONTAINERS.exporter, '']) {
      const l = `container="${container}",id="/kubepods/burstable/pod${p.index}/${container}",image="${container ? `registry.example.test/${container}:1.0` : ''}",name="${container ? `k8s_${container}_${p.name}` : ''}",namespace="${p.namespace}",pod="${p.name}"`;
      const rss = container === CONTAINERS.exporter ? 64e6 : ratio(p, t) * HEAP_LIMIT * 1.05 + 70e6;
      out.push(`container_memory_working_set_bytes{${l}} ${Math.round(rss * 1.1)}`, `container_memory_rss{${l}} ${Math.round(rss)}`);
      out.push(`container_spec_memory_limit_bytes{${l}} ${container === CONTAINERS.exporter ? 167772160 : CONTAINER_LIMIT}`);
      out.push(`container_oom_events_total{${l}} ${restarts(p, CONTAINERS.app, t, t0)}`, `container_cpu_usage_seconds_total{${l},cpu="total"} ${((t - startTime(p, t0)) * 0.05).toFixed(3)}`);
    }
  }
  out.push('');
  return out.join('\n');
}

/**
 * History for the series the rules read over a range, each over its longest window plus a
 * minute (heap live after GC and start time: 1 h; GC seconds: 5 m; restarts: 15 m), at the
 * scrape interval, plus the recorded live heap the leak forecast fits (1 h, once a minute),
 * as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`.
 * Written through `write` one pod at a time, so 10,000 pods never sit in memory as text.
 */
export function* backfill(pods: readonly Pod[], template: SidecarTemplate, t0: number, step: number, ksmInstance: string): Generator<string> {
  const windows: { line: Line; seconds: number }[] = [];
  for (const l of template.lines) {
    if (l.name === METRICS.liveAfterGc || l.name === METRICS.startTime) windows.push({ line: l, seconds: 3660 });
    else if (l.name === `${METRICS.gcDuration}_sum`) windows.push({ line: l, seconds: 360 });
    else if (l.name === METRICS.appRestarts) windows.push({ line: l, seconds: 960 });
  }
  for (const p of pods) {
    const target = `job="${JOBS.exporter}",${Object.entries(targetLabels(p)).map(([k, v]) => `${k}="${v}"`).join(',')}`;
    const chunk: string[] = [];
    for (const { line, seconds } of windows) {
      const labels = Object.entries(line.labels).map(([k, v]) => `${k}="${v}",`).join('');
      for (let t = t0 - seconds; t < t0; t += step) chunk.push(`${line.name}{${labels}${target}} ${format(sidecarValue(line, p, t, t0))} ${t}`);
    }
    // The leak forecast's input, recorded once a minute by heapwatch.leak: its fitted hour.
    const pod = `namespace="${p.namespace}",app="${p.app}",pod="${p.name}"`;
    for (let t = t0 - 3660; t < t0; t += 60) chunk.push(`${RECORDS.liveAfterGc}{${pod}} ${Math.round(liveAfterGc(p, t))} ${t}`);
    for (const container of [CONTAINERS.app, CONTAINERS.exporter]) {
      const l = `container="${container}",instance="${ksmInstance}",job="${JOBS.kubeStateMetrics}",namespace="${p.namespace}",pod="${p.name}",uid="uid-${p.index}"`;
      for (let t = t0 - 960; t < t0; t += step) chunk.push(`kube_pod_container_status_restarts_total{${l}} ${restarts(p, container, t, t0)} ${t}`);
    }
    yield `${chunk.join('\n')}\n`;
  }
}
