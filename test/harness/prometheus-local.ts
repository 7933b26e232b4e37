/**
 * A real Prometheus (Debian's `prometheus`) on 127.0.0.1, running the synthesized
 * StatefulSet's args and prometheus.yml with only what cannot run here replaced: Kubernetes
 * discovery by static targets (withStaticDiscovery), in-pod paths by local files, in-cluster
 * addresses by local ones; jobs with nothing to scrape here (kube-state-metrics, cAdvisor) dropped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify, parse } from 'yaml';
import { JOBS } from '../../src/contract';
import { argValue, containerOf, Manifest, mountsOf, workloadWithContainer } from './manifests';
import { PodFiles } from './pod-files';
import { ManagedProcess, ProcessGroup, waitForHttp } from './processes';
import { StaticTarget, withStaticDiscovery } from './static-discovery';

export interface LocalPrometheusOptions {
  readonly manifests: Manifest[];
  readonly group: ProcessGroup;
  /** Directory for the config, rules, TSDB and log. */
  readonly workDir: string;
  readonly port: number;
  /** host:port of the local Alertmanager. */
  readonly alertmanager: string;
  /** Static targets per discovery job, e.g. { 'heapwatch-exporter': [...] }. */
  readonly targets: Record<string, StaticTarget[]>;
  /**
   * --rules.alert.resend-delay. The manifests keep Prometheus's default (1m); locally a short
   * delay lets a restarted Alertmanager get the active alerts back within seconds.
   * @default "2s"
   */
  readonly resendDelay?: string;
  /** Name of the container in the synthesized StatefulSet. @default "prometheus" */
  readonly container?: string;
  /**
   * The pod name the downward API would give this replica (env with fieldRef metadata.name).
   * @default "prometheus-0"
   */
  readonly podName?: string;
}

/** Scrape jobs with no target on one machine. */
const NOT_HERE = new Set<string>([JOBS.kubeStateMetrics, JOBS.cadvisor]);

export class LocalPrometheus {
  readonly url: string;
  readonly logFile: string;
  /** The prometheus.yml actually run (after the local rewrites). */
  readonly config: Record<string, any>;
  /** Rule file name -> YAML text, as mounted from the rule ConfigMap. */
  readonly ruleFiles: Record<string, string>;
  private readonly args: string[];
  /** The container's env as the kubelet would set it, over this process's own. */
  private readonly env: NodeJS.ProcessEnv;
  private proc?: ManagedProcess;

  constructor(private readonly o: LocalPrometheusOptions) {
    const workload = workloadWithContainer(o.manifests, o.container ?? 'prometheus');
    const container = containerOf(workload, o.container ?? 'prometheus');
    const files = new PodFiles(path.join(o.workDir, 'root'), mountsOf(o.manifests, workload, container));
    const args: string[] = container.args ?? [];
    const configPath = argValue(args, '--config.file');
    if (!configPath) throw new Error(`the ${workload.metadata.name} container has no --config.file argument`);
    const synthesized = parse(fs.readFileSync(files.local(configPath), 'utf8'));

    const ruleGlobs: string[] = synthesized.rule_files ?? [];
    this.ruleFiles = {};
    for (const glob of ruleGlobs) {
      const mount = files.mountOf(glob);
      for (const [name, text] of Object.entries(mount?.files ?? {})) this.ruleFiles[name] = text;
    }
    if (Object.keys(this.ruleFiles).length === 0) {
      throw new Error(`the synthesized rule ConfigMap mounted for ${ruleGlobs.join(', ') || '(no rule_files)'} holds no rule files: ` +
        'the chart must pass renderRules(config) to the stack');
    }

    const config = withStaticDiscovery(synthesized, o.targets);
    config.scrape_configs = (config.scrape_configs as any[]).filter((j) => !NOT_HERE.has(j.job_name)).map((job) => {
      if (job.job_name === JOBS.prometheus) return { ...job, static_configs: [{ targets: [`127.0.0.1:${o.port}`] }] };
      if (job.job_name === JOBS.alertmanager) return { ...job, static_configs: [{ targets: [o.alertmanager] }] };
      return job;
    });
    config.alerting = { ...config.alerting, alertmanagers: [{ static_configs: [{ targets: [o.alertmanager] }] }] };
    config.rule_files = ruleGlobs.map((g) => files.rewrite(g));
    this.config = config;
    const localConfig = files.local(configPath);
    fs.writeFileSync(localConfig, stringify(config, { lineWidth: 0 }));

    this.args = args.map((a) => {
      const [flag, ...rest] = a.split('=');
      const value = rest.join('=');
      if (flag === '--web.listen-address') return `${flag}=127.0.0.1:${o.port}`;
      if (value.startsWith('/')) {
        const local = files.rewrite(value);
        fs.mkdirSync(flag === '--config.file' ? path.dirname(local) : local, { recursive: true });
        return `${flag}=${local}`;
      }
      return a;
    });
    this.args.push(`--rules.alert.resend-delay=${o.resendDelay ?? '2s'}`);
    this.env = { ...process.env };
    for (const e of container.env ?? []) {
      if (e.value !== undefined) this.env[e.name] = e.value;
      else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') this.env[e.name] = o.podName ?? `${workload.metadata.name}-0`;
      else throw new Error(`the ${workload.metadata.name} container's env ${e.name} has a source the local run cannot give`);
    }
    this.url = `http://127.0.0.1:${o.port}`;
    this.logFile = path.join(o.workDir, 'prometheus.log');
  }

  async start(): Promise<void> {
    this.proc = this.o.group.spawn('prometheus', 'prometheus', this.args, { logFile: this.logFile, env: this.env });
    await waitForHttp(this.proc, `${this.url}/-/ready`, 30_000, this.logFile);
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** An instant query; returns the result vector. */
  async query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const body = await this.api(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    return body.data.result;
  }

  /** The first sample's value of an instant query, or undefined when it returns nothing. */
  async value(expr: string): Promise<number | undefined> {
    const r = await this.query(expr);
    return r.length === 0 ? undefined : Number(r[0].value[1]);
  }

  /** A range query (matrix). */
  async queryRange(expr: string, startSec: number, endSec: number, stepSec: number): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
    const q = `query=${encodeURIComponent(expr)}&start=${startSec}&end=${endSec}&step=${stepSec}`;
    return (await this.api(`/api/v1/query_range?${q}`)).data.result;
  }

  /** Active alerts (pending and firing) as Prometheus reports them. */
  async alerts(): Promise<{ labels: Record<string, string>; annotations: Record<string, string>; state: string; activeAt: string; value: string }[]> {
    return (await this.api('/api/v1/alerts')).data.alerts;
  }

  /** Scrape targets' health per job. */
  async targets(): Promise<{ job: string; health: string; lastError: string }[]> {
    const body = await this.api('/api/v1/targets?state=active');
    return body.data.activeTargets.map((t: any) => ({ job: t.labels.job, health: t.health, lastError: t.lastError }));
  }

  private async api(pathAndQuery: string): Promise<any> {
    const res = await fetch(`${this.url}${pathAndQuery}`, { signal: AbortSignal.timeout(5000) });
    const body: any = await res.json();
    if (body.status !== 'success') throw new Error(`Prometheus ${pathAndQuery}: ${body.errorType}: ${body.error}`);
    return body;
  }
}
