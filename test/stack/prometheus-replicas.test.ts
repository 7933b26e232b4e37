/**
 * Prometheus replicas on real processes: two replicas of the synthesized StatefulSet (each with
 * the pod name the downward API would give it) remote_write into a third, plain Prometheus
 * standing in for Thanos or Mimir (its remote-write receiver), and send their alerts to a
 * stand-in Alertmanager each: an HTTP server on 127.0.0.1 that records what POST /api/v2/alerts
 * receives (the receiving end only; what Alertmanager does with it is tested elsewhere).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultManifests } from '../../charts/default-app';
import { REPLICA_LABEL } from '../../src/stack/prometheus-config';
import { done, notYet, pollUntil } from '../harness/poll';
import { ProcessGroup, waitForHttp } from '../harness/processes';
import { freePort } from '../support/free-port';
import { LocalPrometheus } from '../harness/prometheus-local';

const REPLICAS = ['prometheus-0', 'prometheus-1'];

describe('Prometheus replicas (real processes)', () => {
  const group = new ProcessGroup();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-replicas-'));
  /** Alerts each replica's stand-in Alertmanager received, by replica. */
  const received = new Map<string, { labels: Record<string, string> }[]>(REPLICAS.map((r) => [r, []]));
  const standIns: http.Server[] = [];
  let receiverUrl = '';

  async function standInAlertmanager(replica: string): Promise<string> {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/api/v2/alerts') received.get(replica)!.push(...JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    standIns.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  before(async () => {
    const receiverPort = await freePort();
    receiverUrl = `http://127.0.0.1:${receiverPort}`;
    fs.mkdirSync(path.join(dir, 'receiver'));
    fs.writeFileSync(path.join(dir, 'receiver', 'prometheus.yml'), 'global: {}\n');
    const receiver = group.spawn('receiver', 'prometheus', [
      `--config.file=${path.join(dir, 'receiver', 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'receiver', 'data')}`,
      `--web.listen-address=127.0.0.1:${receiverPort}`, '--web.enable-remote-write-receiver',
    ], { logFile: path.join(dir, 'receiver.log') });
    await waitForHttp(receiver, `${receiverUrl}/-/ready`, 30_000, path.join(dir, 'receiver.log'));

    const manifests = defaultManifests({
      prometheus: { replicas: REPLICAS.length, evaluationInterval: '1s', remoteWrite: [{ url: `${receiverUrl}/api/v1/write`, name: 'receiver' }] },
    });
    for (const podName of REPLICAS) {
      const prom = new LocalPrometheus({
        manifests, group, workDir: path.join(dir, podName), port: await freePort(), alertmanager: await standInAlertmanager(podName), targets: {}, podName,
      });
      await prom.start();
    }
  });

  after(async () => {
    await group.stopAll();
    await Promise.all(standIns.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ship their series with a distinct replica external label, one per replica', async () => {
    const replicas = await pollUntil('both replicas in the remote-write receiver', async () => {
      const res = await fetch(`${receiverUrl}/api/v1/query?query=${encodeURIComponent(`group by (${REPLICA_LABEL}) (prometheus_build_info)`)}`);
      const body: any = await res.json();
      const seen = (body.data.result as { metric: Record<string, string> }[]).map((r) => r.metric[REPLICA_LABEL]).sort();
      return seen.length === REPLICAS.length ? done(seen) : notYet(JSON.stringify(seen));
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    assert.deepEqual(replicas, REPLICAS);
  });

  it('send Alertmanager each alert without the replica label, so both replicas send the same alert', async () => {
    const watchdogs = await pollUntil('Watchdog from both replicas', () => {
      const per = REPLICAS.map((r) => received.get(r)!.find((a) => a.labels.alertname === 'Watchdog'));
      return per.every((a) => a !== undefined) ? done(per) : notYet(REPLICAS.map((r) => `${r}: ${received.get(r)!.length} alerts`).join(', '));
    }, { timeoutMs: 60_000, intervalMs: 500 });
    for (const a of [...received.values()].flat()) {
      assert.equal(a.labels[REPLICA_LABEL], undefined, `${a.labels.alertname} reached Alertmanager with ${JSON.stringify(a.labels)}`);
    }
    const labelSets = new Set(watchdogs.map((a) => JSON.stringify(a.labels)));
    assert.equal(labelSets.size, 1, `one Watchdog label set for Alertmanager to deduplicate: ${[...labelSets].join(' | ')}`);
  });
});
