/**
 * Alert latency on the local pipeline (real Prometheus and Alertmanager, the demo config):
 * for each round a fresh pipeline, a leak, and the time from the threshold crossing to
 * NodejsHeapUsageHigh firing and to its Slack message, and from the streak reaching
 * heap.streakAlertChecks to NodejsHeapHighStreak firing and to its Slack message. Prints the
 * rounds and their medians beside the bounds that follow from the config, then one JSON line.
 *
 *   node build/bench/alert-latency.js [--rounds N]   (default 3)
 */
import { DEMO_CONFIG } from '../test/harness/demo-config';
import { LocalStack } from '../test/harness/local-stack';
import { runLeak, Scenario } from '../test/harness/scenario';
import { MissingToolsError } from '../test/support/tools';

const i = process.argv.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(process.argv[i + 1]) : 3;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 20) {
  console.error(`--rounds (${process.argv[i + 1]}) must be a whole number from 1 to 20`);
  process.exit(2);
}

interface Round {
  crossedToFiring: number;
  crossedToSlack: number;
  streakToFiring: number;
  streakToSlack: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function round(): Promise<{ r: Round; bounds: { usageHigh: number; streak: number } }> {
  const s = await LocalStack.start({ input: DEMO_CONFIG });
  try {
    const sc = new Scenario(s);
    await sc.steady();
    const leak = await runLeak(sc);
    return {
      r: {
        crossedToFiring: leak.usageHigh.firingSeenAt - leak.crossed.at,
        crossedToSlack: leak.usageHigh.message.at - leak.crossed.at,
        streakToFiring: leak.highStreak.firingSeenAt - leak.streak.at,
        streakToSlack: leak.highStreak.message.at - leak.streak.at,
      },
      bounds: { usageHigh: sc.allowedLagMs(s.config.alerts.heapHighFor), streak: sc.allowedLagMs('0s') },
    };
  } finally {
    await s.stop();
  }
}

async function main(): Promise<void> {
  const rounds: Round[] = [];
  let bounds = { usageHigh: 0, streak: 0 };
  for (let n = 1; n <= ROUNDS; n++) {
    const r = await round();
    rounds.push(r.r);
    bounds = r.bounds;
    const f = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
    console.log(`round ${n}: crossed->UsageHigh firing ${f(r.r.crossedToFiring)}, ->Slack ${f(r.r.crossedToSlack)}; streak->HighStreak firing ${f(r.r.streakToFiring)}, ->Slack ${f(r.r.streakToSlack)}`);
  }
  const m = (k: keyof Round) => median(rounds.map((r) => r[k])) / 1000;
  const cfg = DEMO_CONFIG;
  console.log(`\nalert latency, ${ROUNDS} round(s) (median), demo config: check ${cfg.heap?.checkIntervalSeconds}s, heapHighFor ${cfg.alerts?.heapHighFor}, ` +
    `evaluation ${cfg.prometheus?.evaluationInterval}, group_wait ${cfg.alertmanager?.groupWait}, Node ${process.version}`);
  const rows: [string, number, number | undefined][] = [
    ['threshold crossed -> NodejsHeapUsageHigh firing', m('crossedToFiring'), undefined],
    ['threshold crossed -> Slack received', m('crossedToSlack'), bounds.usageHigh / 1000],
    ['streak reached -> NodejsHeapHighStreak firing', m('streakToFiring'), undefined],
    ['streak reached -> Slack received', m('streakToSlack'), bounds.streak / 1000],
  ];
  console.log('figure'.padEnd(50) + 'median'.padStart(9) + '   bound');
  for (const [name, v, b] of rows) console.log(name.padEnd(50) + `${v.toFixed(2)}s`.padStart(9) + (b === undefined ? '' : `   <= ${b.toFixed(1)}s ${v <= b ? 'met' : 'MISSED'}`));
  console.log(JSON.stringify({
    bench: 'alert-latency',
    rounds: ROUNDS,
    node: process.version,
    crossedToUsageHighFiringSeconds: +m('crossedToFiring').toFixed(2),
    crossedToUsageHighSlackSeconds: +m('crossedToSlack').toFixed(2),
    usageHighBoundSeconds: +(bounds.usageHigh / 1000).toFixed(1),
    streakToHighStreakFiringSeconds: +m('streakToFiring').toFixed(2),
    streakToHighStreakSlackSeconds: +m('streakToSlack').toFixed(2),
    highStreakBoundSeconds: +(bounds.streak / 1000).toFixed(1),
    boundsMet: m('crossedToSlack') * 1000 <= bounds.usageHigh && m('streakToSlack') * 1000 <= bounds.streak,
  }));
}

main().catch((e) => {
  console.error(e instanceof MissingToolsError ? e.message : `alert-latency bench failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
