/**
 * The memory dashboard: committed JSON matches the builder, and the JSON keeps the invariants
 * Grafana's dashboard schema requires. No Grafana dashboard JSON schema ships with any installed
 * package (the foundation SDK ships TypeScript types only, which tsc already checks), so the
 * schema-relevant invariants are checked here one by one.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveConfig, runbookUrl } from '../../src/config';
import { ALERTS, DASHBOARD_UID, METRICS, RECORDS } from '../../src/contract';
import { allPanels, buildMemoryDashboard, DATASOURCE, HEAPWATCH_ALERTS_REGEX, renderDashboards } from '../../src/dashboard';
import { REPO_ROOT } from '../support/repo-root';

const config = resolveConfig();
const model = buildMemoryDashboard(config);
// What Grafana reads: the rendered text, not the in-memory object.
const json = JSON.parse(renderDashboards(config)['heapwatch-memory.json']);

type AnyPanel = {
  id: number; type: string; title?: string; gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string }; targets?: { refId?: string; expr?: string; datasource?: { type?: string; uid?: string } }[];
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null; color: string }[] } }; overrides?: { properties: { id: string; value?: unknown }[] }[] };
  panels?: AnyPanel[]; collapsed?: boolean; links?: { url?: string; title: string }[];
};
const topLevel: AnyPanel[] = json.panels;
const panels = topLevel.filter((p) => p.type !== 'row');
const rows = topLevel.filter((p) => p.type === 'row');
const byTitle = (title: string) => {
  const p = panels.find((x) => x.title === title);
  assert.ok(p, `no panel titled ${JSON.stringify(title)}; panels: ${panels.map((x) => x.title).join(', ')}`);
  return p;
};

describe('committed dashboards', () => {
  it('equal renderDashboards(defaults) byte for byte', () => {
    const rendered = renderDashboards(resolveConfig());
    const dir = join(REPO_ROOT, 'dashboards');
    const committed = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(committed, Object.keys(rendered).sort(),
      'dashboards/ holds other files than src/dashboard renders; run `npm run render` and commit dashboards/');
    for (const [name, text] of Object.entries(rendered)) {
      assert.ok(readFileSync(join(dir, name), 'utf8') === text,
        `dashboards/${name} differs from what src/dashboard renders; run \`npm run render\` and commit dashboards/`);
    }
  });

  it('render deterministically', () => {
    assert.deepEqual(renderDashboards(resolveConfig()), renderDashboards(resolveConfig()));
  });
});

describe('memory dashboard structure', () => {
  it('is a standalone dashboard with the contract uid', () => {
    assert.equal(json.uid, DASHBOARD_UID);
    assert.equal(typeof json.title, 'string');
    assert.ok(Number.isInteger(json.schemaVersion) && json.schemaVersion >= 39, `schemaVersion ${json.schemaVersion}`);
    assert.ok(!('__inputs' in json), 'no __inputs: Grafana file provisioning does not resolve them');
    assert.ok(!('id' in json) || json.id === null, 'no instance-specific numeric id');
    assert.doesNotMatch(JSON.stringify(json), /\$\{DS_/, 'no import-time datasource placeholders');
    assert.deepEqual(Object.keys(json.time).sort(), ['from', 'to']);
  });

  it('has unique positive integer panel ids, rows included', () => {
    const ids = topLevel.map((p) => p.id);
    for (const id of ids) assert.ok(Number.isInteger(id) && id > 0, `panel id ${id}`);
    assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids.join(', ')}`);
  });

  it('gives every panel a distinct title (panelQueries reports queries by title)', () => {
    const titles = panels.map((p) => p.title);
    assert.equal(new Set(titles).size, titles.length, `repeated titles in ${titles.join(', ')}`);
  });

  it('lays every panel on the 24-column grid without overlaps', () => {
    for (const p of topLevel) {
      const g = p.gridPos;
      assert.ok(g && [g.x, g.y, g.w, g.h].every(Number.isInteger), `${p.title}: gridPos ${JSON.stringify(g)}`);
      assert.ok(g.x >= 0 && g.y >= 0 && g.w >= 1 && g.h >= 1 && g.x + g.w <= 24, `${p.title}: gridPos ${JSON.stringify(g)} leaves the grid`);
    }
    for (let i = 0; i < topLevel.length; i++) {
      for (let j = i + 1; j < topLevel.length; j++) {
        const a = topLevel[i].gridPos;
        const b = topLevel[j].gridPos;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `'${topLevel[i].title}' ${JSON.stringify(a)} overlaps '${topLevel[j].title}' ${JSON.stringify(b)}`);
      }
    }
  });

  it('keeps expanded rows empty, with their panels below them in reading order', () => {
    // Grafana does not show panels nested inside an expanded row.
    for (const r of rows) {
      assert.equal(r.collapsed, false, `row ${r.title}`);
      assert.deepEqual(r.panels, [], `row ${r.title} must not nest panels while expanded`);
      assert.equal(r.gridPos.w, 24);
    }
    const ys = topLevel.map((p) => p.gridPos.y);
    assert.deepEqual(ys, [...ys].sort((a, b) => a - b), 'panels are listed top to bottom');
    assert.deepEqual(rows.map((r) => r.title), ['Now', 'Heap', 'Container', 'V8 and GC', 'Event loop and alerts']);
  });

  it('points every panel, target and annotation at the ${datasource} variable', () => {
    assert.deepEqual(DATASOURCE, { type: 'prometheus', uid: '${datasource}' });
    for (const p of panels) {
      assert.deepEqual(p.datasource, DATASOURCE, `panel '${p.title}'`);
      for (const t of p.targets ?? []) assert.deepEqual(t.datasource, DATASOURCE, `panel '${p.title}' target ${t.refId}`);
    }
    for (const a of json.annotations.list) assert.deepEqual(a.datasource, DATASOURCE, `annotation '${a.name}'`);
  });

  it('gives every target a unique refId and an expr', () => {
    for (const p of panels) {
      assert.ok((p.targets ?? []).length > 0, `panel '${p.title}' has no queries`);
      const refIds = p.targets!.map((t) => t.refId);
      for (const t of p.targets!) {
        assert.match(t.refId ?? '', /^[A-Z]$/, `panel '${p.title}' refId ${t.refId}`);
        assert.ok(typeof t.expr === 'string' && t.expr.trim() !== '', `panel '${p.title}' target ${t.refId} has no expr`);
      }
      assert.equal(new Set(refIds).size, refIds.length, `panel '${p.title}' repeats a refId: ${refIds.join(', ')}`);
    }
  });

  it('uses only core panel types and sets a known unit on every panel and unit override', () => {
    const units = new Set(['bytes', 'percentunit', 's', 'short', 'none']);
    for (const p of panels) {
      assert.ok(['timeseries', 'stat', 'gauge', 'state-timeline'].includes(p.type), `panel '${p.title}' type ${p.type}`);
      const unit = p.fieldConfig?.defaults?.unit;
      assert.ok(unit !== undefined && units.has(unit), `panel '${p.title}' unit ${unit}`);
      for (const o of p.fieldConfig?.overrides ?? []) {
        for (const prop of o.properties.filter((x) => x.id === 'unit')) assert.ok(units.has(prop.value as string), `panel '${p.title}' override unit ${prop.value}`);
      }
    }
  });

  it('gives every panel thresholds with a null base step and rising values', () => {
    for (const p of panels) {
      const steps = p.fieldConfig?.defaults?.thresholds?.steps;
      assert.ok(steps && steps.length >= 1, `panel '${p.title}' has no thresholds`);
      assert.equal(steps[0].value, null, `panel '${p.title}' base step`);
      const values = steps.slice(1).map((s) => s.value as number);
      assert.deepEqual(values, [...values].sort((a, b) => a - b), `panel '${p.title}' steps must rise: ${values}`);
    }
  });

  it('has the datasource, namespace, app and pod variables, each chained on the one before', () => {
    const vars: { name: string; type: string; query?: string; multi?: boolean; includeAll?: boolean; datasource?: unknown }[] = json.templating.list;
    assert.deepEqual(vars.map((v) => v.name), ['datasource', 'namespace', 'app', 'pod']);
    assert.equal(vars[0].type, 'datasource');
    assert.equal(vars[0].query, 'prometheus');
    for (const v of vars.slice(1)) {
      assert.equal(v.type, 'query', v.name);
      assert.deepEqual(v.datasource, DATASOURCE, v.name);
      assert.match(v.query ?? '', new RegExp(`^label_values\\(${METRICS.heapUsed}.*, ${v.name}\\)$`), v.name);
    }
    const [, ns, app, pod] = vars;
    assert.doesNotMatch(ns.query!, /\$/, 'namespace lists all namespaces');
    assert.match(app.query!, /namespace=~"\$namespace"/, 'app follows namespace');
    assert.match(pod.query!, /namespace=~"\$namespace"/, 'pod follows namespace');
    assert.match(pod.query!, /app=~"\$app"/, 'pod follows app');
    assert.equal(pod.multi, true);
    assert.equal(pod.includeAll, true);
    assert.ok(!('allValue' in pod), 'no custom All value: All must expand to this app\'s pods');
  });

  it('uses no template variable it does not define', () => {
    const defined = new Set<string>(json.templating.list.map((v: { name: string }) => v.name));
    const used = new Set<string>();
    const text = JSON.stringify(json);
    for (const m of text.matchAll(/\$\{?(\w+)/g)) if (!m[1].startsWith('__')) used.add(m[1]);
    for (const u of used) assert.ok(defined.has(u), `\$${u} is used but not defined`);
  });
});

describe('memory dashboard content', () => {
  const exprs = (title: string) => (byTitle(title).targets ?? []).map((t) => t.expr ?? '');

  it('shows the "now" panels', () => {
    assert.match(exprs('Heap used / limit')[0], new RegExp(RECORDS.heapRatio));
    assert.match(exprs('High-heap streak')[0], new RegExp(METRICS.highStreak));
    assert.match(exprs('Memory restarts (24h)')[0], /heapwatch_app_restarts_total\{.*reason="heap_streak".*\[24h\]/);
    assert.match(exprs('Memory restarts (24h)')[0], /OOMKilled/);
    assert.match(exprs('OOM kills (30d)')[0], /kube_pod_container_status_last_terminated_reason\{.*reason="OOMKilled"\}.*\[30d:5m\]/);
    assert.match(exprs('Since last memory restart')[0], /^time\(\) - max\(/);
    assert.deepEqual(exprs('Time under 70 % target').map((e) => e.match(/heapwatch:[a-z_:0-9]+/)![0]),
      [RECORDS.underTargetRatio1d, RECORDS.underTargetRatio30d]);
  });

  it('draws used, total, limit, live-after-GC and the threshold lines per pod', () => {
    const e = exprs('Heap per pod');
    for (const metric of [METRICS.heapUsed, METRICS.heapTotal, METRICS.heapLimit, METRICS.liveAfterGc]) {
      assert.ok(e.some((x) => x === `max by (pod) (${metric}{namespace=~"$namespace", app=~"$app", pod=~"$pod"})`), metric);
    }
    assert.ok(e.some((x) => x.endsWith(`${METRICS.heapLimit}{namespace=~"$namespace", app=~"$app", pod=~"$pod"}) * 0.85`)));
    assert.ok(e.some((x) => x.endsWith(`${METRICS.heapLimit}{namespace=~"$namespace", app=~"$app", pod=~"$pod"}) * 0.7`)));
    // The threshold series are drawn dashed, so they read as lines, not data.
    const dashed = byTitle('Heap per pod').fieldConfig!.overrides!.filter((o) => o.properties.some((p) => p.id === 'custom.lineStyle'));
    assert.equal(dashed.length, 3, 'limit, high and target are dashed');
  });

  it('shows container memory, V8 spaces, GC, forced GC and event-loop lag', () => {
    assert.ok(exprs('Process memory vs container limit').some((e) => e.includes(METRICS.rss)));
    assert.ok(exprs('Process memory vs container limit').some((e) => e.includes(METRICS.external)));
    assert.ok(exprs('Process memory vs container limit').some((e) => e.includes(METRICS.containerMemoryLimit)));
    assert.match(exprs('V8 heap spaces')[0], /by \(pod, space\)/);
    assert.match(exprs('Time in GC')[0], new RegExp(RECORDS.gcTimeRatio));
    assert.match(exprs('GC pauses by kind')[0], /^histogram_quantile\(0\.99, sum by \(kind, le\) \(rate\(nodejs_gc_duration_seconds_bucket\{/);
    assert.ok(exprs('Forced GCs and bytes reclaimed').some((e) => e.includes(METRICS.forcedGc)));
    assert.ok(exprs('Forced GCs and bytes reclaimed').some((e) => e.includes(METRICS.forcedGcReclaimed)));
    assert.match(exprs('Event-loop lag p99')[0], new RegExp(METRICS.eventLoopLagP99));
  });

  it('shows firing heapwatch alerts, and the regex selects every alert but Watchdog', () => {
    assert.equal(byTitle('Firing heapwatch alerts').type, 'state-timeline');
    const e = exprs('Firing heapwatch alerts')[0];
    assert.match(e, /ALERTS\{alertname=~"Nodejs\.\*\|Heapwatch\.\*", alertstate="firing"/);
    const re = new RegExp(`^(?:${HEAPWATCH_ALERTS_REGEX})$`); // Prometheus anchors regex matchers
    for (const alert of ALERTS) assert.equal(re.test(alert), alert !== 'Watchdog', alert);
  });

  it('marks restarts with annotations', () => {
    const exprsOf = json.annotations.list.map((a: { expr: string }) => a.expr);
    assert.ok(exprsOf.some((e: string) => e.startsWith(`changes(${METRICS.startTime}{`)), exprsOf.join('\n'));
    assert.ok(exprsOf.some((e: string) => e.includes(`${METRICS.appRestarts}{`) && e.includes('reason="heap_streak"')), exprsOf.join('\n'));
  });

  it('links panels to the runbooks of their alerts, every alert but Watchdog covered', () => {
    const linked = new Set<string>();
    for (const p of panels) {
      for (const l of p.links ?? []) {
        const alert = l.title.replace(/^Runbook: /, '');
        assert.ok((ALERTS as readonly string[]).includes(alert), `panel '${p.title}' links to unknown alert ${alert}`);
        assert.equal(l.url, runbookUrl(config, alert), `panel '${p.title}' link ${l.title}`);
        linked.add(alert);
      }
    }
    assert.deepEqual([...linked].sort(), ALERTS.filter((a) => a !== 'Watchdog').sort());
  });

  it('is what buildMemoryDashboard returns', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(model)), json);
    assert.equal(allPanels(model).length, panels.length);
  });
});
