/**
 * A real Alertmanager (Debian's `prometheus-alertmanager`) on 127.0.0.1, running the
 * synthesized StatefulSet's args, alertmanager.yml and Slack template, with in-pod paths
 * pointed at local files and the Slack webhook file (the user's Secret) holding the URL of a
 * local sink. restart() stops it gracefully and starts it again on the same storage, as a
 * rescheduled pod with its PersistentVolume would be.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { argValue, containerOf, Manifest, mountsOf, workloadWithContainer } from './manifests';
import { PodFiles } from './pod-files';
import { ManagedProcess, ProcessGroup, waitForHttp } from './processes';

export interface LocalAlertmanagerOptions {
  readonly manifests: Manifest[];
  readonly group: ProcessGroup;
  /** Directory for the config, templates, storage and log. */
  readonly workDir: string;
  readonly port: number;
  /** The Slack webhook URL written into the webhook file (the local sink's). */
  readonly slackWebhookUrl: string;
  /** @default "alertmanager" */
  readonly container?: string;
}

export class LocalAlertmanager {
  readonly url: string;
  readonly logFile: string;
  /** The alertmanager.yml actually run. */
  readonly config: Record<string, any>;
  private readonly args: string[];
  private proc?: ManagedProcess;

  constructor(private readonly o: LocalAlertmanagerOptions) {
    const workload = workloadWithContainer(o.manifests, o.container ?? 'alertmanager');
    const container = containerOf(workload, o.container ?? 'alertmanager');
    const files = new PodFiles(path.join(o.workDir, 'root'), mountsOf(o.manifests, workload, container));
    const args: string[] = container.args ?? [];
    const configPath = argValue(args, '--config.file');
    if (!configPath) throw new Error(`the ${workload.metadata.name} container has no --config.file argument`);
    // Every in-pod path (templates, the webhook file wherever the config names it) to its
    // local twin; a Slack URL file on the user's Secret volume gets the local sink's URL.
    const synthesized = parse(fs.readFileSync(files.local(configPath), 'utf8'));
    let webhookFiles = 0;
    const config = files.rewriteDeep(synthesized, (key, podPath) => {
      if (/api_url_file$/.test(key)) {
        files.provideSecretFile(podPath, o.slackWebhookUrl);
        webhookFiles++;
      }
    });
    if (webhookFiles === 0 && JSON.stringify(synthesized).includes('slack_configs')) {
      throw new Error('the synthesized alertmanager.yml has Slack receivers but no api_url_file on a mounted Secret to point at the local sink');
    }
    this.config = config;
    fs.writeFileSync(files.local(configPath), stringify(config, { lineWidth: 0 }));

    this.args = args.map((a) => {
      const [flag, ...rest] = a.split('=');
      const value = rest.join('=');
      if (flag === '--web.listen-address') return `${flag}=127.0.0.1:${o.port}`;
      if (flag === '--cluster.listen-address' && value !== '') {
        throw new Error('the local Alertmanager runs one replica; the synthesized one is clustered (alertmanager.replicas > 1)');
      }
      if (value.startsWith('/')) {
        const local = files.rewrite(value);
        fs.mkdirSync(flag === '--config.file' ? path.dirname(local) : local, { recursive: true });
        return `${flag}=${local}`;
      }
      return a;
    }).filter((a) => !a.startsWith('--cluster.peer='));
    this.url = `http://127.0.0.1:${o.port}`;
    this.logFile = path.join(o.workDir, 'alertmanager.log');
  }

  get address(): string {
    return `127.0.0.1:${this.o.port}`;
  }

  async start(): Promise<void> {
    this.proc = this.o.group.spawn('alertmanager', 'prometheus-alertmanager', this.args, { logFile: this.logFile });
    await waitForHttp(this.proc, `${this.url}/-/ready`, 30_000, this.logFile);
  }

  /** SIGTERM (Alertmanager snapshots its notification log and silences), then start on the same storage. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.proc?.stop(10_000);
  }

  /** Alerts Alertmanager currently holds (API v2). */
  async alerts(): Promise<{ labels: Record<string, string>; status: { state: string } }[]> {
    const res = await fetch(`${this.url}/api/v2/alerts`, { signal: AbortSignal.timeout(5000) });
    return (await res.json()) as any;
  }

  /** The sum of one of Alertmanager's own metrics (e.g. alertmanager_nflog_queries_total), 0 when absent. */
  async metric(name: string, labelFilter: Record<string, string> = {}): Promise<number> {
    const res = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m || m[1] !== name) continue;
      const labels = m[2] ?? '';
      if (Object.entries(labelFilter).every(([k, v]) => labels.includes(`${k}="${v}"`))) sum += Number(m[3]);
    }
    return sum;
  }
}
