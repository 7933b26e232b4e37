/**
 * The watched pod on this machine: the app container (the demo service, started with the
 * Deployment's NODE_OPTIONS and env) and the exporter sidecar (its own stated command and
 * env), sharing one directory for the heapwatch volume, with in-pod paths and container ports
 * rewritten to local ones, and a Prober playing the kubelet for the app's startup and
 * liveness probes. The agent and the sidecar are the bytes of the synthesized ConfigMaps,
 * projected into each container's local root as the kubelet would, and unpacked by the
 * sidecar's own command: never src/ or build/.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseQuantity } from '../../src/config/quantity';
import { DISCOVERY, EXPORTER_ENV, TARGET_LABELS } from '../../src/contract';
import { freePort } from '../support/free-port';
import { containerOf, containerPort, envOf, Manifest, mountsOf, probeOf, workloadWithPodLabel } from './manifests';
import { PodFiles } from './pod-files';
import { ManagedProcess, ProcessGroup, waitForHttp } from './processes';
import { ProbeEvent, Prober } from './prober';
import { StaticTarget } from './static-discovery';

export interface LocalPodOptions {
  readonly manifests: Manifest[];
  readonly group: ProcessGroup;
  readonly workDir: string;
  /** The app to run in the app container (a plain .js file), in place of the user's image. */
  readonly appScript: string;
  /** The node binary for both containers. @default process.execPath */
  readonly node?: string;
  /** @default "app" */
  readonly appContainer?: string;
  /** @default "heapwatch-exporter" */
  readonly exporterContainer?: string;
  /** Told about every probe failure and restart. @default - none */
  readonly onProbeEvent?: (e: ProbeEvent) => void;
  /**
   * Env set in the app container on top of the Deployment's, for test-only agent knobs the
   * constructs leave at their product value (e.g. DEMO_AGENT_ENV). @default - none
   */
  readonly appEnv?: Readonly<Record<string, string>>;
  /** The app container's working directory (an image's WORKDIR). @default process.cwd() */
  readonly appCwd?: string;
}

export class LocalPod {
  /** The pod's name in Prometheus's labels. */
  readonly podName: string;
  readonly namespace: string;
  readonly appName: string;
  readonly sharedDir: string;
  /** Container port -> local port (the pod's network namespace, flattened onto 127.0.0.1). */
  readonly ports = new Map<number, number>();
  readonly prober: Prober;
  /** The app container's env and NODE_OPTIONS after the local rewrites (and LocalPodOptions.appEnv). */
  appEnv: Record<string, string> = {};
  /** The app's working directory: the agent names allocation sites' files relative to it. */
  readonly appCwd: string;
  exporterEnv: Record<string, string> = {};
  /** The sidecar's stated command after the local rewrites, its `node` first. */
  exporterCommand: string[] = [];
  /** The admin API's bearer token (random per run, never printed). */
  readonly token = randomBytes(24).toString('hex');
  app?: ManagedProcess;
  /** The current app process's log (its stdout and stderr: the agent's JSON lines). */
  appLogFile = '';
  exporter?: ManagedProcess;
  private appStarts = 0;
  private exporterStarts = 0;
  private readonly workload: Manifest;

  private constructor(private readonly o: LocalPodOptions) {
    this.workload = workloadWithPodLabel(o.manifests, DISCOVERY.podLabel, DISCOVERY.podLabelValue);
    this.namespace = this.workload.metadata.namespace;
    this.appName = this.workload.spec.template.metadata.labels['app.kubernetes.io/name'];
    this.podName = `${this.workload.metadata.name}-local-0`;
    this.appCwd = o.appCwd ?? process.cwd();
    // The heapwatch volume: the emptyDir both containers mount (the agent writes, the sidecar reads).
    const [first, second] = this.workload.spec.template.spec.containers as Manifest[];
    const common = (first.volumeMounts ?? []).find((m: Manifest) => (second?.volumeMounts ?? []).some((n: Manifest) => n.name === m.name));
    if (!common) throw new Error(`the containers of ${this.workload.metadata.name} share no volume`);
    this.sharedDir = path.join(o.workDir, `vol-${common.name}`);
    fs.mkdirSync(this.sharedDir, { recursive: true });
    const appC = containerOf(this.workload, o.appContainer ?? 'app');
    this.prober = new Prober({
      url: (p) => `http://127.0.0.1:${this.localPort(p.port)}${p.path}`,
      running: () => this.app !== undefined && !this.app.hasExited(),
      restart: async () => {
        await this.app?.stop(2000);
        await this.startApp();
      },
    }, probeOf(appC, 'startupProbe'), probeOf(appC, 'livenessProbe'), o.onProbeEvent);
  }

  static async create(o: LocalPodOptions): Promise<LocalPod> {
    const pod = new LocalPod(o);
    for (const c of pod.workload.spec.template.spec.containers) {
      for (const p of c.ports ?? []) if (!pod.ports.has(p.containerPort)) pod.ports.set(p.containerPort, await freePort());
    }
    pod.appEnv = { ...pod.containerRun(o.appContainer ?? 'app').env, ...o.appEnv };
    ({ env: pod.exporterEnv, command: pod.exporterCommand } = pod.containerRun(o.exporterContainer ?? 'heapwatch-exporter'));
    return pod;
  }

  localPort(containerPortNumber: number): number {
    const p = this.ports.get(containerPortNumber);
    if (p === undefined) throw new Error(`the pod declares no container port ${containerPortNumber}`);
    return p;
  }

  /** A named port of a container, on this machine. */
  portOf(container: string, name: string): number {
    return this.localPort(containerPort(containerOf(this.workload, container), name));
  }

  get appUrl(): string {
    return `http://127.0.0.1:${this.portOf(this.o.appContainer ?? 'app', 'http')}`;
  }

  get exporterUrl(): string {
    return `http://127.0.0.1:${this.portOf(this.o.exporterContainer ?? 'heapwatch-exporter', DISCOVERY.portName)}`;
  }

  get livezUrl(): string {
    const probe = probeOf(containerOf(this.workload, this.o.appContainer ?? 'app'), 'livenessProbe');
    if (!probe) throw new Error('the app container has no liveness probe');
    return `http://127.0.0.1:${this.localPort(probe.port)}${probe.path}`;
  }

  /** What Prometheus's pod discovery and relabelling would have produced for the sidecar. */
  target(): StaticTarget {
    return {
      address: `127.0.0.1:${this.portOf(this.o.exporterContainer ?? 'heapwatch-exporter', DISCOVERY.portName)}`,
      labels: {
        [TARGET_LABELS.namespace]: this.namespace,
        [TARGET_LABELS.pod]: this.podName,
        [TARGET_LABELS.container]: this.o.exporterContainer ?? 'heapwatch-exporter',
        [TARGET_LABELS.app]: this.appName,
      },
    };
  }

  /** Starts both containers (sidecar first, as its readiness does not depend on the app) and the prober. */
  async start(): Promise<void> {
    await this.startExporter();
    await this.startApp();
    this.prober.start();
  }

  async startApp(): Promise<void> {
    const n = ++this.appStarts;
    const log = path.join(this.o.workDir, `app-${n}.log`);
    this.appLogFile = log;
    this.app = this.o.group.spawn(`app#${n}`, this.o.node ?? process.execPath, [this.o.appScript], { env: this.appEnv, cwd: this.appCwd, logFile: log });
    await waitForHttp(this.app, `${this.appUrl}/`, 20_000, log);
  }

  async startExporter(): Promise<void> {
    const n = ++this.exporterStarts;
    const log = path.join(this.o.workDir, `exporter-${n}.log`);
    const [node, ...args] = this.exporterCommand;
    this.exporter = this.o.group.spawn(`exporter#${n}`, node, args, { env: this.exporterEnv, logFile: log });
    await waitForHttp(this.exporter, `${this.exporterUrl}/healthz`, 20_000, log);
  }

  async stop(): Promise<void> {
    await this.prober.stop();
    await Promise.all([this.app?.stop(2000), this.exporter?.stop(2000)]);
  }

  /** The app container's memory limit in the manifests, in bytes. */
  get appMemoryLimitBytes(): number {
    const limit = containerOf(this.workload, this.o.appContainer ?? 'app').resources?.limits?.memory;
    const bytes = parseQuantity(limit);
    if (bytes === undefined) throw new Error(`the app container has no memory limit (${JSON.stringify(limit)})`);
    return bytes;
  }

  /** The admin API with the token, e.g. adminFetch('/admin/heap-snapshots'). */
  adminFetch(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.exporterUrl}${pathAndQuery}`, {
      ...init,
      headers: { ...(init.headers ?? {}), authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(30_000),
    });
  }

  /** The env and stated command of one container, rewritten for this machine. */
  private containerRun(name: string): { env: Record<string, string>; command: string[] } {
    const c = containerOf(this.workload, name);
    const files = new PodFiles(path.join(this.o.workDir, `root-${name}`), mountsOf(this.o.manifests, this.workload, c), this.sharedMounts());
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(envOf(this.workload, c))) env[k] = this.rewriteValue(v, files);
    // The user's snapshot-token Secret: a random token for this run.
    const tokenFile = env[EXPORTER_ENV.tokenFile];
    if (tokenFile !== undefined && name === (this.o.exporterContainer ?? 'heapwatch-exporter')) {
      fs.mkdirSync(path.dirname(tokenFile), { recursive: true });
      fs.writeFileSync(tokenFile, `${this.token}\n`, { mode: 0o600 });
    }
    if (env.NODE_OPTIONS !== undefined) {
      env.NODE_OPTIONS = env.NODE_OPTIONS.replace(/--require[ =](\S+)/g, (_, podPath: string) => `--require ${this.projected(files, podPath, `${name}'s NODE_OPTIONS`)}`);
    }
    // The app's own port, as the sample app reads it (the pod's port 3000 is a free local port here).
    if (name === (this.o.appContainer ?? 'app')) env.PORT = String(this.portOf(name, 'http'));
    const stated = [...(c.command ?? []), ...(c.args ?? [])].map((v: string) => this.rewriteValue(v, files));
    // The image's node is this machine's (Node 24 under npm scripts, as in the pinned image).
    const command = stated[0] === 'node' ? [this.o.node ?? process.execPath, ...stated.slice(1)] : stated;
    return { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.o.workDir, ...env }, command };
  }

  /** The local twin of a file the pod reads at `podPath`; it must be there, from a ConfigMap of the manifests. */
  private projected(files: PodFiles, podPath: string, who: string): string {
    const local = files.rewrite(podPath);
    if (!fs.existsSync(local)) {
      throw new Error(`${who} loads ${podPath}, which no ConfigMap of the manifests projects there ` +
        "(with exporter.delivery 'image' an image puts it there, and no image runs on this machine)");
    }
    return local;
  }

  /** Every emptyDir mount path -> one local directory per volume, the same for every container that mounts it. */
  private sharedMounts(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of this.workload.spec.template.spec.containers) {
      for (const m of mountsOf(this.o.manifests, this.workload, c)) {
        if (m.kind === 'emptyDir') out[m.mountPath] = path.join(this.o.workDir, `vol-${m.volume}`);
      }
    }
    return out;
  }

  private rewriteValue(v: string, files: PodFiles): string {
    if (v.startsWith('/')) return files.rewrite(v);
    if (/^[0-9]+$/.test(v) && this.ports.has(Number(v))) return String(this.ports.get(Number(v)));
    if (/^https?:\/\//.test(v)) {
      const u = new URL(v);
      if (['127.0.0.1', 'localhost'].includes(u.hostname) && this.ports.has(Number(u.port))) {
        u.port = String(this.ports.get(Number(u.port)));
        return u.toString();
      }
    }
    return v;
  }
}
