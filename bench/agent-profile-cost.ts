/**
 * What taking one live allocation profile costs, part of `npm run bench:agent`: an app that has
 * leaked BENCH_PROFILE_RECORDS small records (test/fixtures/agent-records-app.js, about 70 bytes
 * of heap each) runs with the agent as it ships (default sampling interval), and the bench asks
 * it over its socket for a profile, as the sidecar does, PROFILE_TAKES times. Reported: the heap,
 * the pause (the agent reads and writes the profile synchronously, so its durationMs is how long
 * the event loop was blocked), the file's bytes and samples, and the time to reduce it to the top
 * sites (what the agent does at most once a minute, beside reading it).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SamplingHeapProfile, topSites } from '../src/agent/allocation-sites';
import { AGENT_BUNDLE } from '../scripts/bundle';
import { AGENT_ENV, AGENT_READING_FILE, AGENT_SOCKET, AgentReading, PROFILE_SUBDIR, SnapshotResult } from '../src/contract';
import { freePort } from '../test/support/free-port';
import { REPO_ROOT } from '../test/support/repo-root';

const RECORDS = Number(process.env.BENCH_PROFILE_RECORDS ?? 6_000_000);
const PROFILE_TAKES = 5;
const APP = path.join(REPO_ROOT, 'test', 'fixtures', 'agent-records-app.js');

export interface ProfileCost {
  readonly node: string;
  readonly heapUsedMiB: number;
  readonly pauseMs: { readonly median: number; readonly max: number };
  readonly bytes: number;
  readonly samples: number;
  readonly topSitesMs: number;
  readonly topSite: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function waitFor<T>(probe: () => T | undefined, what: string, limitMs = 120_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() - started > limitMs) throw new Error(`profile cost bench: no ${what} after ${limitMs} ms`);
    await sleep(100);
  }
}

function reading(dir: string): AgentReading | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, AGENT_READING_FILE), 'utf8')) as AgentReading;
  } catch {
    return undefined;
  }
}

export async function measureProfileCost(node: { name: string; bin: string }): Promise<ProfileCost> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-bench-profile-'));
  const child: ChildProcess = spawn(node.bin, [APP], {
    env: {
      PATH: '/usr/bin:/bin', NODE_OPTIONS: `--require ${AGENT_BUNDLE}`, LEAK_START_RECORDS: String(RECORDS),
      [AGENT_ENV.dir]: dir, [AGENT_ENV.checkIntervalSeconds]: '1', [AGENT_ENV.livenessPort]: String(await freePort()),
    },
    stdio: 'ignore',
  });
  try {
    // The leak is done once the heap stops growing between two readings.
    let last = 0;
    const heap = await waitFor(() => {
      const r = reading(dir);
      if (r === undefined) return undefined;
      const grown = r.heapUsed - last;
      last = r.heapUsed;
      return r.heapUsed > RECORDS * 40 && grown < r.heapUsed * 0.01 ? r.heapUsed : undefined;
    }, 'leaked heap');
    const socket = net.connect(path.join(dir, AGENT_SOCKET));
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.setEncoding('utf8');
    const results: SnapshotResult[] = [];
    socket.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((l) => l !== '')) results.push(JSON.parse(line) as SnapshotResult);
    });
    for (let i = 0; i < PROFILE_TAKES; i++) {
      socket.write(JSON.stringify({ type: 'snapshot', kind: 'profile', id: `p${i}`, file: `bench-${i}.heapprofile` }) + '\n');
      await waitFor(() => (results.length > i ? true : undefined), 'profile result');
      if (!results[i].ok) throw new Error(`profile refused: ${JSON.stringify(results[i])}`);
    }
    socket.destroy();
    const file = path.join(dir, PROFILE_SUBDIR, `bench-${PROFILE_TAKES - 1}.heapprofile`);
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as SamplingHeapProfile;
    const started = process.hrtime.bigint();
    const top = topSites(profile, path.dirname(APP));
    const topSitesMs = Number(process.hrtime.bigint() - started) / 1e6;
    const pauses = results.map((r) => r.durationMs ?? NaN);
    return {
      node: node.name,
      heapUsedMiB: Math.round(heap / 2 ** 20),
      pauseMs: { median: median(pauses), max: Math.max(...pauses) },
      bytes: fs.statSync(file).size,
      samples: profile.samples.length,
      topSitesMs: +topSitesMs.toFixed(2),
      topSite: `${top.sites[0]?.function} (${top.sites[0]?.location}) ${Math.round((top.sites[0]?.share ?? 0) * 100)} %`,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printProfileCost(costs: readonly ProfileCost[]): void {
  console.log(`one allocation profile on request (${PROFILE_TAKES} per node), an app that leaked ${RECORDS} small records, default sampling interval:`);
  for (const c of costs) {
    console.log(`  ${c.node}: heap ${c.heapUsedMiB} MiB, pause ${c.pauseMs.median} ms median (max ${c.pauseMs.max}), ` +
      `file ${(c.bytes / 1024).toFixed(1)} KB with ${c.samples} samples, top sites in ${c.topSitesMs} ms: ${c.topSite}`);
  }
}
