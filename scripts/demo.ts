/**
 * `npm run demo`: the whole heapwatch pipeline on this machine. Synthesizes the default chart
 * with a demo config (short intervals), runs it on a real Prometheus and Alertmanager with a
 * leaking demo service, its agent, the exporter sidecar, a local kubelet-like prober and a
 * local Slack sink; drives a leak through alerts, a restart and recovery; evaluates every
 * dashboard query; prints a timeline with measured latencies and writes docs/demo.svg.
 *
 *   npm run demo [-- --svg <file>] [-- --keep]    (--keep: leave the work dir for inspection)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEMO_AGENT_ENV, DEMO_CONFIG } from '../test/harness/demo-config';
import { siteNamedIn } from '../test/harness/demo-leak-site';
import { demoPicture } from '../test/harness/demo-picture';
import { LocalStack } from '../test/harness/local-stack';
import { checkPanels } from '../test/harness/panel-check';
import { Scenario } from '../test/harness/scenario';
import { preRestartOutcome, requestSnapshot } from '../test/harness/snapshot-outcome';
import { Timeline } from '../test/harness/timeline';
import { REPO_ROOT } from '../test/support/repo-root';
import { MissingToolsError } from '../test/support/tools';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const svgFile = path.resolve(arg('--svg') ?? path.join(REPO_ROOT, 'docs/demo.svg'));
  const keep = process.argv.includes('--keep');
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`[+${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

  say('synthesizing the default chart with the demo config and starting the pipeline ...');
  let s: LocalStack;
  try {
    s = await LocalStack.start({ input: DEMO_CONFIG, appEnv: DEMO_AGENT_ENV, log: say, keepWorkDir: keep });
  } catch (e) {
    if (e instanceof MissingToolsError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const t = new Timeline(s.t0);
  const c = s.config;
  try {
    const pod = s.pod;
    say(`work dir ${s.workDir} (manifests in dist/, logs per process)`);
    say(`prometheus ${s.prometheus.url}, alertmanager ${s.alertmanager.url}, slack sink ${s.sink.url}`);
    say(`app ${pod.appUrl} NODE_OPTIONS="${pod.appEnv.NODE_OPTIONS}"`);
    say(`app probes (container ports; the prober maps them to local ones): startup ${JSON.stringify(pod.prober.startup)}; liveness ${JSON.stringify(pod.prober.liveness)}`);
    const envLine = (env: Record<string, string>) => Object.entries(env).filter(([k]) => k !== 'PATH' && k !== 'HOME' && k !== 'NODE_OPTIONS').map(([k, v]) => `${k}=${v}`).join(' ');
    say(`app env (from the Deployment, paths and ports made local): ${envLine(pod.appEnv)}`);
    say(`sidecar ${pod.exporterUrl} (scraped as pod ${pod.podName}); shared dir ${pod.sharedDir}`);
    say(`sidecar env: ${envLine(pod.exporterEnv)}`);
    const codeFiles = pod.exporterCommand.slice(1).filter((a) => a.startsWith('/'));
    say(`code: the agent and the sidecar come out of the synthesized ConfigMaps, as the kubelet would project them; the sidecar runs its own stated command (node ${pod.exporterCommand.slice(1).filter((a) => a.startsWith('--') && a !== '--').join(' ')} -e <unpack and run> ${codeFiles.join(' ')})`);
    const sc = new Scenario(s);

    const steady = await sc.steady();
    t.add(steady.at, 'steady state', `heap ratio ${(steady.ratio * 100).toFixed(1)} %`);
    t.add(steady.watchdog.at, 'Watchdog delivered', steady.watchdog.channel);

    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const limit = pod.appMemoryLimitBytes;
    const onRequest = await requestSnapshot(pod);
    t.add(Date.now(), `heap snapshot on request: HTTP ${onRequest.status}`, onRequest.model === null
      ? `the cost model allows it; ${onRequest.body.name ?? ''}, peak RSS ${mib(onRequest.peakRssBytes)} of ${mib(limit)}`
      : `the cost model refuses it: ${onRequest.model.message}`);

    const leak = await sc.startLeak();
    t.add(leak.at, 'leak started', `pid ${leak.pid}`);
    const crossed = await sc.thresholdCrossed(leak.at);
    t.add(crossed.at, `heap crossed ${c.heap.highRatio * 100} %`, `ratio ${crossed.ratio}`);
    const high = await sc.alertDelivered('NodejsHeapUsageHigh', leak.at);
    t.add(high.firingSeenAt, 'NodejsHeapUsageHigh firing (Prometheus)');
    t.add(high.message.at, 'NodejsHeapUsageHigh in Slack', high.message.channel);
    t.latency('threshold crossed -> NodejsHeapUsageHigh firing', crossed.at, high.firingSeenAt);
    t.latency('threshold crossed -> Slack received', crossed.at, high.message.at, sc.allowedLagMs(c.alerts.heapHighFor));

    const streak = await sc.streakReached(c.heap.streakAlertChecks, leak.at);
    t.add(streak.at, `streak reached ${c.heap.streakAlertChecks} checks`);
    const hs = await sc.alertDelivered('NodejsHeapHighStreak', leak.at);
    t.add(hs.firingSeenAt, 'NodejsHeapHighStreak firing (Prometheus)');
    t.add(hs.message.at, 'NodejsHeapHighStreak in Slack', hs.message.channel);
    t.latency('streak reached -> NodejsHeapHighStreak firing', streak.at, hs.firingSeenAt);
    t.latency('streak reached -> Slack received', streak.at, hs.message.at, sc.allowedLagMs('0s'));
    for (const [name, m] of [['NodejsHeapUsageHigh', high.message], ['NodejsHeapHighStreak', hs.message]] as const) {
      const problems = sc.messageProblems(m, name);
      if (problems.length > 0) throw new Error(`the Slack message for ${name} is incomplete: ${problems.join('; ')}`);
    }
    say('both Slack messages carry the summary, the value, the runbook link and the dashboard link');
    const named = siteNamedIn(hs.message.text);
    say(`NodejsHeapHighStreak names the leak's allocation site: ${named ? `${named.functionName} (${named.location})` : 'none'}`);

    const failing = await sc.livenessFailing(leak.at);
    t.add(failing.at, '/livez failing (503)', `streak ${failing.streak}`);
    const pre = await preRestartOutcome(pod);
    const gc = await sc.forcedGc();
    t.add(Date.now(), 'forced GC reclaimed little', `${gc.count} forced GCs, last reclaimed ${(gc.reclaimedBytes / 1024).toFixed(0)} KiB of ${(gc.heapUsedBytes / 2 ** 20).toFixed(0)} MiB`);
    const restart = await sc.restartedByLiveness(failing.at, leak.pid);
    t.add(restart.at, 'app restarted by the local kubelet', `new pid ${restart.pid}`);
    t.latency(`streak reached ${c.heap.livenessFailChecks} (liveness failing) -> restart`, failing.at, restart.at);
    t.latency(`streak reached ${c.heap.streakAlertChecks} -> restart`, streak.at, restart.at);

    if (pre.marker.snapshot !== null) {
      const snap = await sc.preRestartSnapshot();
      t.add(Date.now(), 'pre-restart heap snapshot downloaded from the sidecar', `${snap.name}, ${(snap.bytes / 2 ** 20).toFixed(1)} MiB`);
    } else {
      t.add(pre.marker.at, 'no pre-restart heap snapshot: the agent refused it', pre.refusalLog?.msg.replace(/^No pre-restart heap snapshot: /, '') ?? '(no log line)');
    }
    const modelAgrees = (pre.model === null) === (pre.marker.snapshot !== null);
    say(`pre-restart snapshot ${pre.marker.snapshot === null ? 'refused' : 'taken'}, as the cost model says: ${modelAgrees ? 'yes' : 'NO'}; the leaking app's peak RSS ${mib(pre.peakRssBytes)}, under its ${mib(limit)} limit: ${pre.peakRssBytes < limit ? 'yes' : 'NO'}`);
    if (!modelAgrees || pre.peakRssBytes >= limit) throw new Error('the pre-restart snapshot went against the cost model or the app outgrew its container');

    const rfh = await sc.alertDelivered('NodejsRestartedForHeap', restart.at);
    t.add(rfh.firingSeenAt, 'NodejsRestartedForHeap firing (Prometheus)');
    t.add(rfh.message.at, 'NodejsRestartedForHeap in Slack', rfh.message.channel);
    t.latency('restart -> NodejsRestartedForHeap in Slack', restart.at, rfh.message.at, sc.allowedLagMs('0s'));

    const settled = await sc.settled(restart.at);
    t.add(settled.at, 'heap settled under the target', `ratio ${settled.ratio}`);
    for (const name of ['NodejsHeapUsageHigh', 'NodejsHeapHighStreak', 'NodejsRestartedForHeap']) {
      const r = await sc.resolved(name, restart.at, sc.ms(c.alerts.oomWindow) + 60_000);
      t.add(r.endedSeenAt, `${name} resolved (Prometheus)`);
      t.add(r.message.at, `${name} resolved in Slack`);
    }
    const watchdog = s.sink.delivered().filter((m) => m.alertname === 'Watchdog');
    const stray = watchdog.filter((m) => m.channel !== c.slack.watchdogChannel);
    say(`Watchdog: ${watchdog.length} message(s), all on ${c.slack.watchdogChannel}: ${stray.length === 0 ? 'yes' : `no (${stray.length} elsewhere)`}`);

    const panels = await checkPanels(s.prometheus, c, { namespace: pod.namespace, app: pod.appName, pod: pod.podName }, (Date.now() - s.t0) / 1000);
    const bad = panels.filter((p) => p.outcome !== 'data');
    process.stdout.write(`\nDashboard queries on the running Prometheus: ${panels.length - bad.length} of ${panels.length} return data\n`);
    for (const p of bad) {
      const why = p.outcome === 'error' ? `ERROR ${p.error}`
        : p.needsCluster ? 'no data (reads only kube-state-metrics or cAdvisor series, not run here)'
        : p.coarserThanRun ? 'no data yet (its subquery step is longer than this run)' : 'NO DATA';
      process.stdout.write(`  ${p.panel} [${p.refId}]: ${why}\n    ${p.expr.replace(/\s+/g, ' ').slice(0, 160)}\n`);
    }

    process.stdout.write(`\n${t.format()}\n`);
    fs.mkdirSync(path.dirname(svgFile), { recursive: true });
    fs.writeFileSync(svgFile, demoPicture(s, [{ at: leak.at, label: 'leak starts' }, { at: restart.at, label: 'liveness restart' }]));
    process.stdout.write(`\nPicture: ${path.relative(process.cwd(), svgFile) || svgFile}\n`);
    const exceeded = t.latencies.filter((l) => l.boundMs !== undefined && l.ms > l.boundMs);
    const failedPanels = panels.filter((p) => p.outcome === 'error' || (p.outcome === 'no-data' && !p.needsCluster && !p.coarserThanRun));
    if (exceeded.length > 0 || failedPanels.length > 0) {
      process.stdout.write(`\nDemo finished with problems: ${exceeded.length} latency bound(s) exceeded, ${failedPanels.length} dashboard query(ies) failing\n`);
      return 1;
    }
    process.stdout.write('\nDemo finished: every step happened, within its bounds.\n');
    return 0;
  } catch (e) {
    process.stdout.write(`\n${t.format()}\n`);
    process.stderr.write(`\nDemo failed: ${e instanceof Error ? e.message : String(e)}\n${keep ? `Logs: ${s.workDir}\n` : 'Run with -- --keep to keep the logs.\n'}`);
    return 1;
  } finally {
    await s.stop();
  }
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`demo: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
