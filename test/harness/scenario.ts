/**
 * The demo scenario as steps over a running LocalStack: steady state, a leak, the heap
 * alerts and their Slack messages, a forced GC that reclaims little, failing liveness, the
 * restart and the pre-restart snapshot, NodejsRestartedForHeap, recovery and resolution.
 * Each step is a bounded poll that returns what it measured; the demo prints them, the e2e
 * test asserts on them, the bench times them.
 */
import { parse } from 'yaml';
import { derive, parseDuration, runbookUrl } from '../../src/config';
import { METRICS } from '../../src/contract';
import { AlertEpisode } from './alert-watcher';
import { LocalStack } from './local-stack';
import { done, notYet, pollUntil } from './poll';
import { SlackMessage } from './slack-sink';

export interface AlertDelivery {
  readonly alertname: string;
  readonly episode: AlertEpisode;
  /** When Prometheus was first seen reporting it firing, epoch ms. */
  readonly firingSeenAt: number;
  /** The delivered Slack message and when it arrived. */
  readonly message: SlackMessage;
}

export interface Resolution {
  readonly alertname: string;
  readonly endedSeenAt: number;
  readonly message: SlackMessage;
}

export interface ForcedGc {
  readonly count: number;
  readonly reclaimedBytes: number;
  readonly heapUsedBytes: number;
}

export interface PreRestartSnapshot {
  readonly name: string;
  readonly bytes: number;
  /** The first bytes of the downloaded file (a heap snapshot starts with {"snapshot":). */
  readonly head: string;
}

/** Generous bounds for waits whose natural length follows from the config (see each step). */
const SLACK_MS = 30_000;

export class Scenario {
  constructor(private readonly s: LocalStack) {}

  get config() {
    return this.s.config;
  }

  private get c() {
    return this.s.config;
  }

  /** Seconds -> ms of a Prometheus duration from the config. */
  ms(duration: string): number {
    return (parseDuration(duration) ?? 0) * 1000;
  }

  /**
   * The worst lag from a condition becoming true to its Slack message: the rule's `for`, two scrapes
   * (the one that sees it and one of jitter), one rule evaluation and Alertmanager's group wait, plus
   * 3 s for delivery. Anything slower means a setting is not what the config says.
   */
  allowedLagMs(forDuration: string): number {
    const scrape = this.c.heap.checkIntervalSeconds * 1000;
    return this.ms(forDuration) + 2 * scrape + this.ms(this.c.prometheus.evaluationInterval) + this.ms(this.c.alertmanager.groupWait) + 3000;
  }

  /** The heap is scraped, under the target, and the Watchdog has reached its own receiver. */
  async steady(): Promise<{ at: number; ratio: number; watchdog: SlackMessage }> {
    const ratio = await pollUntil('the sidecar to be scraped with the heap under the target ratio', async () => {
      const v = await this.s.prometheus.value(`${METRICS.heapUsedRatio}{pod="${this.s.pod.podName}"}`);
      return v !== undefined && v < this.c.heap.targetRatio ? done(v) : notYet(`heapwatch_heap_used_ratio = ${v}`);
    }, { timeoutMs: 30_000 });
    const watchdog = await this.message('Watchdog', 'firing', this.s.t0);
    return { at: Date.now(), ratio, watchdog };
  }

  /**
   * Where the leak stops growing by default: halfway between the high ratio and the highest
   * ratio the app can reach before its old space is full (at most 0.93), so the heap stays
   * high without V8 running out of memory.
   */
  defaultLeakRatio(): number {
    return Math.min(0.93, (this.c.heap.highRatio + derive(this.c).maxReachableRatio) / 2);
  }

  /** Starts the demo service's leak; returns when and in which process. */
  async startLeak(mibPerSecond = 32, untilRatio = this.defaultLeakRatio()): Promise<{ at: number; pid: number }> {
    const res = await fetch(`${this.s.pod.appUrl}/leak/start?mibPerSecond=${mibPerSecond}&untilRatio=${untilRatio}`, { method: 'POST' });
    const body: any = await res.json();
    if (!res.ok) throw new Error(`the demo service refused the leak: ${JSON.stringify(body)}`);
    return { at: Date.now(), pid: body.pid };
  }

  /** The first /livez answer above the high ratio after `since`. */
  async thresholdCrossed(since: number): Promise<{ at: number; ratio: number }> {
    const sample = await pollUntil(`the heap ratio to cross ${this.c.heap.highRatio}`, () => {
      const s = this.s.sampler.first(since, (x) => (x.ratio ?? 0) > this.c.heap.highRatio);
      return s ? done(s) : notYet(`last /livez: ${JSON.stringify(this.s.sampler.last())}`);
    }, { timeoutMs: 30_000 });
    return { at: sample.at, ratio: sample.ratio! };
  }

  /** The first /livez answer whose streak reached `checks` after `since`. */
  async streakReached(checks: number, since: number): Promise<{ at: number; streak: number }> {
    const sample = await pollUntil(`the agent's streak to reach ${checks}`, () => {
      const s = this.s.sampler.first(since, (x) => (x.streak ?? 0) >= checks);
      return s ? done(s) : notYet(`last /livez: ${JSON.stringify(this.s.sampler.last())}; ${this.appRestarts()}`);
    }, { timeoutMs: checks * this.c.heap.checkIntervalSeconds * 1000 + 30_000 });
    return { at: sample.at, streak: sample.streak! };
  }

  /** Waits for Prometheus to fire `alertname` (after `since`) and for its Slack message. */
  async alertDelivered(alertname: string, since: number, timeoutMs = 60_000): Promise<AlertDelivery> {
    const episode = await pollUntil(`Prometheus to fire ${alertname}`, () => {
      const e = this.s.alerts.firedSince(alertname, since);
      const states = this.s.alerts.of(alertname).map((x) => `${x.firingSeenAt ? 'firing' : 'pending'}${x.endedSeenAt ? '/ended' : ''}`);
      return e ? done(e) : notYet(`${alertname} episodes: [${states.join(', ')}]; ${this.appRestarts()}; last /livez: ${JSON.stringify(this.s.sampler.last())}`);
    }, { timeoutMs });
    const message = await this.message(alertname, 'firing', since);
    return { alertname, episode, firingSeenAt: episode.firingSeenAt!, message };
  }

  /** The app's restarts so far, for failure messages (an unexpected one explains a vanished alert). */
  appRestarts(): string {
    const r = this.s.pod.prober.restarts();
    return r.length === 0 ? 'no app restart' : `app restarted ${r.length}x (${r.map((e) => e.detail).join(', ')})`;
  }

  /** Waits for a delivered Slack message of `alertname` with `status`, arriving after `since`. */
  async message(alertname: string, status: 'firing' | 'resolved', since: number, timeoutMs = SLACK_MS): Promise<SlackMessage> {
    return pollUntil(`a ${status} Slack message for ${alertname}`, () => {
      const m = this.s.sink.find(alertname, status).find((x) => x.at >= since);
      return m ? done(m) : notYet(`delivered so far: ${this.s.sink.delivered().map((x) => `${x.alertname}/${x.status}`).join(', ') || 'none'}`);
    }, { timeoutMs, intervalMs: 100 });
  }

  /** Waits until Prometheus no longer reports `alertname` and its resolved message arrived. */
  async resolved(alertname: string, since: number, timeoutMs = 90_000): Promise<Resolution> {
    const endedSeenAt = await pollUntil(`${alertname} to resolve in Prometheus`, () => {
      const open = this.s.alerts.of(alertname).filter((e) => e.endedSeenAt === undefined);
      const ended = this.s.alerts.of(alertname).filter((e) => e.endedSeenAt !== undefined && e.endedSeenAt >= since);
      return open.length === 0 && ended.length > 0 ? done(ended[ended.length - 1].endedSeenAt!) : notYet(`${open.length} open episode(s)`);
    }, { timeoutMs });
    const message = await this.message(alertname, 'resolved', since, SLACK_MS);
    return { alertname, endedSeenAt, message };
  }

  /**
   * What is wrong with a Slack message for `alertname` (empty when nothing): it must carry
   * the alert's summary, a value (a number in the description), the runbook link and the
   * dashboard link scoped to the pod.
   */
  messageProblems(m: SlackMessage, alertname: string): string[] {
    const problems: string[] = [];
    const rule = this.rule(alertname);
    const summary = rule?.annotations?.summary;
    if (!summary) problems.push(`no rule named ${alertname} in the synthesized rule files`);
    else if (!m.text.includes(summary)) problems.push(`text lacks the summary ${JSON.stringify(summary)}`);
    if (!/\d/.test(m.text.replace(/https?:\/\/\S+/g, ''))) problems.push('text carries no value (no number outside the links)');
    const runbook = runbookUrl(this.c, alertname);
    if (!m.text.includes(runbook)) problems.push(`text lacks the runbook link ${runbook}`);
    const dashboard = `${this.c.grafana.externalUrl.replace(/\/+$/, '')}/d/`;
    if (!m.titleLink.startsWith(dashboard) || !m.text.includes(m.titleLink)) problems.push(`no dashboard link (title_link ${JSON.stringify(m.titleLink)})`);
    if (alertname !== 'Watchdog' && !m.titleLink.includes(`var-pod=${this.s.pod.podName}`)) problems.push(`dashboard link not scoped to the pod: ${m.titleLink}`);
    return problems;
  }

  /** The synthesized alerting rule named `alertname`. */
  rule(alertname: string): any {
    for (const text of Object.values(this.s.prometheus.ruleFiles)) {
      for (const g of parse(text)?.groups ?? []) {
        const r = (g.rules ?? []).find((x: any) => x.alert === alertname);
        if (r) return r;
      }
    }
    return undefined;
  }

  /** The agent's forced GCs as Prometheus has them: how many, what the last reclaimed, the heap used. */
  async forcedGc(): Promise<ForcedGc> {
    const pod = `{pod="${this.s.pod.podName}"}`;
    return pollUntil('the agent to have run a forced GC (heapwatch_manual_gc_total > 0)', async () => {
      const count = await this.s.prometheus.value(`${METRICS.forcedGc}${pod}`);
      const reclaimed = await this.s.prometheus.value(`${METRICS.forcedGcReclaimed}${pod}`);
      const used = await this.s.prometheus.value(`${METRICS.heapUsed}${pod}`);
      return count !== undefined && count > 0 && reclaimed !== undefined && used !== undefined
        ? done({ count, reclaimedBytes: reclaimed, heapUsedBytes: used })
        : notYet(`manual_gc_total=${count}, reclaimed=${reclaimed}, heap used=${used}`);
    }, { timeoutMs: 20_000 });
  }

  /** The first /livez answer "failing" (503) after `since`. */
  async livenessFailing(since: number): Promise<{ at: number; streak: number }> {
    const timeoutMs = this.c.heap.livenessFailChecks * this.c.heap.checkIntervalSeconds * 1000 + 30_000;
    const s = await pollUntil('/livez to answer 503 (failing)', () => {
      const x = this.s.sampler.first(since, (y) => y.status === 'failing');
      return x ? done(x) : notYet(`last /livez: ${JSON.stringify(this.s.sampler.last())}`);
    }, { timeoutMs });
    return { at: s.at, streak: s.streak! };
  }

  /** The prober's liveness restart after `since`, and the new process answering. */
  async restartedByLiveness(since: number, oldPid: number): Promise<{ at: number; pid: number }> {
    const probe = this.s.pod.prober;
    const restart = await pollUntil('the local kubelet to restart the app after failed liveness probes', () => {
      const r = probe.restarts('liveness').find((e) => e.at >= since);
      return r ? done(r) : notYet(`prober events: ${probe.events.slice(-3).map((e) => `${e.kind} ${e.detail}`).join('; ') || 'none'}`);
    }, { timeoutMs: 90_000 });
    const pid = await pollUntil('the restarted app to answer /state with a new pid', async () => {
      const body: any = await (await fetch(`${this.s.pod.appUrl}/state`, { signal: AbortSignal.timeout(2000) })).json();
      return body.pid !== oldPid ? done(body.pid as number) : notYet(`pid still ${body.pid}`);
    }, { timeoutMs: 30_000 });
    return { at: restart.at, pid };
  }

  /** The pre-restart snapshot, listed and downloaded from the sidecar's admin API with the token. */
  async preRestartSnapshot(): Promise<PreRestartSnapshot> {
    const name = await pollUntil('the sidecar to list a pre-restart heap snapshot', async () => {
      const res = await this.s.pod.adminFetch('/admin/heap-snapshots');
      const body: any = await res.json();
      const found = (body.snapshots ?? []).find((x: any) => /prerestart/.test(x.name));
      return found ? done(found.name as string) : notYet(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
    }, { timeoutMs: 20_000 });
    const res = await this.s.pod.adminFetch(`/admin/heap-snapshots/${encodeURIComponent(name)}`);
    if (res.status !== 200) throw new Error(`downloading ${name}: HTTP ${res.status}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    return { name, bytes: bytes.length, head: bytes.subarray(0, 32).toString('utf8') };
  }

  /** The first /livez answer under the target ratio after `since`, from a process that has been up a while. */
  async settled(since: number): Promise<{ at: number; ratio: number }> {
    const s = await pollUntil(`the heap to settle under ${this.c.heap.targetRatio}`, () => {
      const x = this.s.sampler.first(since, (y) => y.status === 'ok' && y.ratio !== undefined && y.ratio < this.c.heap.targetRatio);
      return x ? done(x) : notYet(`last /livez: ${JSON.stringify(this.s.sampler.last())}`);
    }, { timeoutMs: 30_000 });
    return { at: s.at, ratio: s.ratio! };
  }
}

/** Everything the leak part measured, for the timeline, the picture and the bench. */
export interface LeakRun {
  readonly leak: { at: number; pid: number };
  readonly crossed: { at: number; ratio: number };
  readonly usageHigh: AlertDelivery;
  readonly streak: { at: number; streak: number };
  readonly highStreak: AlertDelivery;
}

/** The leak part: leak, threshold, NodejsHeapUsageHigh, streak, NodejsHeapHighStreak. */
export async function runLeak(sc: Scenario, mibPerSecond = 32): Promise<LeakRun> {
  const leak = await sc.startLeak(mibPerSecond);
  const crossed = await sc.thresholdCrossed(leak.at);
  const usageHigh = await sc.alertDelivered('NodejsHeapUsageHigh', leak.at);
  const streakChecks = sc.config.heap.streakAlertChecks;
  const streak = await sc.streakReached(streakChecks, leak.at);
  const highStreak = await sc.alertDelivered('NodejsHeapHighStreak', leak.at);
  return { leak, crossed, usageHigh, streak, highStreak };
}
