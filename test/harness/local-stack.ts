/**
 * The whole heapwatch pipeline on one machine, from synthesized manifests: the watched pod
 * (demo service + agent, exporter sidecar, kubelet-like prober), a real Prometheus and a
 * real Alertmanager, and a local Slack sink. start() brings it up in dependency order;
 * stop() takes every process down (also wired to exit and signals).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HeapwatchConfigInput, resolveConfig, ResolvedConfig } from '../../src/config';
import { JOBS } from '../../src/contract';
import { freePort } from '../support/free-port';
import { REPO_ROOT } from '../support/repo-root';
import { requireTools } from '../support/tools';
import { AlertWatcher } from './alert-watcher';
import { LocalAlertmanager } from './alertmanager-local';
import { synthesizeDefaultChart } from './demo-chart';
import { HeapSampler } from './heap-sampler';
import { LocalPod } from './local-pod';
import { readManifests } from './manifests';
import { ProbeEvent } from './prober';
import { ProcessGroup } from './processes';
import { LocalPrometheus } from './prometheus-local';
import { SlackMessage, SlackSink } from './slack-sink';

export interface LocalStackOptions {
  /** The config to synthesize the chart with (e.g. DEMO_CONFIG). */
  readonly input: HeapwatchConfigInput;
  /** Where manifests, configs, TSDB, logs and the shared volume go. @default - a new temp dir */
  readonly workDir?: string;
  /** Progress lines (each Slack message, restarts). @default - none */
  readonly log?: (line: string) => void;
  /** Wire stop-all to process exit and SIGINT/SIGTERM. @default true */
  readonly stopOnExit?: boolean;
  /** Env on top of the app container's, for test-only agent knobs (e.g. DEMO_AGENT_ENV). @default - none */
  readonly appEnv?: Readonly<Record<string, string>>;
  /** Keep the work dir (logs, TSDB, manifests) after stop(). @default false for a temp dir it made, true for a given workDir */
  readonly keepWorkDir?: boolean;
}

export class LocalStack {
  readonly group = new ProcessGroup();
  readonly config: ResolvedConfig;
  readonly workDir: string;
  readonly sink: SlackSink;
  prometheus!: LocalPrometheus;
  alertmanager!: LocalAlertmanager;
  pod!: LocalPod;
  sampler!: HeapSampler;
  alerts!: AlertWatcher;
  /** When start() began, epoch ms. */
  readonly t0 = Date.now();
  private removeExitHooks?: () => void;

  private constructor(private readonly o: LocalStackOptions) {
    this.config = resolveConfig(o.input);
    this.workDir = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-local-'));
    const log = o.log ?? (() => undefined);
    this.sink = new SlackSink({ onMessage: (m) => log(describeMessage(m)) });
  }

  static async start(o: LocalStackOptions): Promise<LocalStack> {
    requireTools(['prometheus', 'prometheus-alertmanager'], 'the local heapwatch pipeline');
    const s = new LocalStack(o);
    if (o.stopOnExit ?? true) {
      const removeStop = s.group.stopOnExit();
      // Interrupted (SIGINT exits from the group's handler): the temp dir goes too, unless kept.
      const removeDir = () => {
        if (s.removeWorkDir) fs.rmSync(s.workDir, { recursive: true, force: true });
      };
      process.on('exit', removeDir);
      s.removeExitHooks = () => {
        removeStop();
        process.off('exit', removeDir);
      };
    }
    try {
      await s.bringUp();
    } catch (e) {
      await s.stop();
      throw e;
    }
    return s;
  }

  private async bringUp(): Promise<void> {
    const log = this.o.log ?? (() => undefined);
    const outdir = synthesizeDefaultChart(this.o.input, path.join(this.workDir, 'dist'));
    const manifests = readManifests(outdir);
    const webhook = await this.sink.start();
    const dir = (name: string) => {
      const d = path.join(this.workDir, name);
      fs.mkdirSync(d, { recursive: true });
      return d;
    };
    this.pod = await LocalPod.create({
      manifests,
      group: this.group,
      workDir: dir('pod'),
      appScript: path.join(REPO_ROOT, 'test/harness/demo-service.js'),
      appEnv: this.o.appEnv,
      onProbeEvent: (e: ProbeEvent) => log(`kubelet (local prober): ${e.kind}${e.probe ? ` ${e.probe}` : ''}: ${e.detail}`),
    });
    this.alertmanager = new LocalAlertmanager({ manifests, group: this.group, workDir: dir('alertmanager'), port: await freePort(), slackWebhookUrl: webhook });
    this.prometheus = new LocalPrometheus({
      manifests,
      group: this.group,
      workDir: dir('prometheus'),
      port: await freePort(),
      alertmanager: this.alertmanager.address,
      targets: { [JOBS.exporter]: [this.pod.target()] },
    });
    await this.alertmanager.start();
    await this.prometheus.start();
    await this.pod.start();
    this.sampler = new HeapSampler(this.pod.livezUrl);
    this.sampler.start();
    this.alerts = new AlertWatcher(() => this.prometheus.alerts());
    this.alerts.start();
  }

  /** Seconds since start, for printing. */
  rel(at: number): string {
    return `${((at - this.t0) / 1000).toFixed(1)} s`;
  }

  async stop(): Promise<void> {
    await this.sampler?.stop();
    await this.alerts?.stop();
    await this.pod?.prober.stop();
    await this.group.stopAll(3000);
    await this.sink.stop();
    this.removeExitHooks?.();
    if (this.removeWorkDir) fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  private get removeWorkDir(): boolean {
    return !(this.o.keepWorkDir ?? this.o.workDir !== undefined);
  }
}

function describeMessage(m: SlackMessage): string {
  const head = `slack ${m.rejected ? '(answered 500) ' : ''}${m.channel}: ${m.title}`;
  const body = m.text.split('\n').filter((l) => l.trim() !== '').map((l) => `    ${l}`).join('\n');
  return `${head}\n${body}`;
}
