/**
 * The on-call runbooks in alerts/runbooks: one per alert with the same sections, reachable from
 * every alert's runbook_url, and with the commands on-call needs where they apply: confirm with kubectl and PromQL, take and
 * download a heap snapshot, reproduce locally with clinic, restart or roll back.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config';
import { ALERTS, DASHBOARD_UID } from '../../src/contract';
import { buildRuleGroups, isAlertingRule } from '../../src/rules';
import { REPO_ROOT } from '../support/repo-root';

const runbookDir = join(REPO_ROOT, 'alerts', 'runbooks');
const SECTIONS = ['Meaning', 'Impact', 'Confirm', 'Heap snapshot', 'Reproduce locally', 'Mitigation', 'Common causes'];
/** The alerts about an app's memory, whose runbooks walk through snapshots, profiling and code fixes. */
const APP_ALERTS = ALERTS.filter((a) => a.startsWith('Nodejs'));

const read = (name: string) => readFileSync(join(runbookDir, `${name}.md`), 'utf8');

/** Section title -> body, for "## " headings outside code blocks. */
function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  let inCode = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    const heading = !inCode && /^## (.+)$/.exec(line);
    if (heading) {
      assert.ok(!out.has(heading[1]), `duplicate section "${heading[1]}"`);
      current = heading[1];
      out.set(current, '');
    } else if (current) {
      out.set(current, `${out.get(current)}${line}\n`);
    }
  }
  return out;
}

describe('runbooks', () => {
  it('exist for every alert, and every runbook belongs to an alert', () => {
    const files = readdirSync(runbookDir).sort();
    assert.deepEqual(files, ALERTS.map((a) => `${a}.md`).sort());
  });

  for (const alert of ALERTS) {
    it(`${alert}: has the title and the same sections, in order, none empty`, () => {
      const text = read(alert);
      assert.equal(text.split('\n')[0], `# ${alert}`);
      const s = sections(text);
      assert.deepEqual([...s.keys()], SECTIONS);
      for (const [title, body] of s) assert.ok(body.trim().length > 80, `${alert}: section "${title}" is (nearly) empty`);
      const confirm = s.get('Confirm')!;
      assert.match(confirm, new RegExp(`/d/${DASHBOARD_UID}/`), `${alert}: Confirm links the dashboard`);
      assert.match(confirm, /kubectl /, `${alert}: Confirm has kubectl commands`);
      assert.match(confirm, /```promql\n/, `${alert}: Confirm has PromQL`);
      // Operator-mode alerts link here too: where to look when Prometheus and Grafana are kube-prometheus-stack's.
      assert.match(confirm, /kubectl -n monitoring port-forward svc\/kube-prometheus-stack-prometheus 9090/, `${alert}: Confirm covers operator mode`);
    });
  }

  for (const alert of APP_ALERTS) {
    it(`${alert}: walks through snapshots, local reproduction, mitigation and common causes`, () => {
      const s = sections(read(alert));
      const snap = s.get('Heap snapshot')!;
      assert.match(snap, /get secret heapwatch-snapshot-token -o jsonpath='\{\.data\.token\}' \| base64 -d/);
      assert.match(snap, /kubectl -n "\$NS" port-forward "pod\/\$POD" 9464:9464/);
      assert.match(snap, /curl -fsS -X POST -H "Authorization: Bearer \$TOKEN" http:\/\/127\.0\.0\.1:9464\/admin\/heap-snapshots\n/);
      assert.match(snap, /curl -fsS -H "Authorization: Bearer \$TOKEN" http:\/\/127\.0\.0\.1:9464\/admin\/heap-snapshots\n/);
      assert.match(snap, /http:\/\/127\.0\.0\.1:9464\/admin\/heap-snapshots\/\$NAME/);
      assert.match(snap, /\*\*Memory\*\* tab/);
      assert.match(snap, /\*\*Comparison\*\*/);
      const repro = s.get('Reproduce locally')!;
      assert.match(repro, /clinic heapprofiler/);
      assert.match(repro, /clinic doctor/);
      assert.match(repro, /--heapsnapshot-near-heap-limit=/);
      const mitigation = s.get('Mitigation')!;
      assert.match(mitigation, /rollout restart deployment\/"\$APP"/);
      assert.match(mitigation, /app\.resources\.memoryLimit/);
      assert.match(mitigation, /rollout undo deployment\/"\$APP"/);
      const causes = s.get('Common causes')!;
      for (const cause of [/LRUCache\(\{ max: .*ttl:/, /bus\.off\(/, /clearInterval\(/, /LIMIT 500/]) assert.match(causes, cause);
    });
  }

  it('use the real container, port and Secret names, and no inspector port or literal token', () => {
    for (const alert of ALERTS) {
      const text = read(alert);
      for (const m of text.matchAll(/^kubectl .* -c ([a-z0-9-]+)/gm)) {
        assert.ok(['app', 'heapwatch-exporter', 'heapwatch-agent-init'].includes(m[1]), `${alert}: unknown container "${m[1]}"`);
      }
      for (const m of text.matchAll(/port-forward "pod\/\$POD" (\S+)/g)) assert.equal(m[1], '9464:9464', alert);
      assert.doesNotMatch(text, /9229|--inspect/, `${alert}: never the inspector`);
      assert.doesNotMatch(text, /Bearer (?!\$TOKEN)/, `${alert}: tokens only from the Secret`);
      assert.doesNotMatch(text, /hooks\.slack\.com/, `${alert}: no webhook URL`);
    }
    assert.match(read('Watchdog'), /dead man's switch/);
  });

  it('are where every alert\'s runbook_url points, for the default and a custom base URL', () => {
    for (const base of [undefined, 'https://wiki.example.com/oncall/heapwatch/']) {
      const config = resolveConfig(base ? { alerts: { runbookBaseUrl: base } } : {});
      const prefix = `${config.alerts.runbookBaseUrl.replace(/\/+$/, '')}/`;
      const alerts = buildRuleGroups(config).flatMap((g) => g.rules).filter(isAlertingRule);
      assert.equal(alerts.length, ALERTS.length);
      for (const a of alerts) {
        const url = a.annotations.runbook_url;
        assert.ok(url.startsWith(prefix), `${a.alert}: ${url} starts with ${prefix}`);
        const rest = url.slice(prefix.length);
        assert.equal(rest, `${a.alert}.md`);
        assert.ok(existsSync(join(runbookDir, rest)), `${a.alert}: alerts/runbooks/${rest} exists`);
      }
    }
    // The default base URL is this repository's alerts/runbooks directory.
    assert.ok(resolveConfig().alerts.runbookBaseUrl.endsWith('/alerts/runbooks'));
  });
});
