/** Every threshold line, unit and link on the dashboard follows the config, not the defaults. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, HeapRatioBasis, resolveConfig } from '../../src/config';
import { METRICS } from '../../src/contract';
import { allPanels, buildMemoryDashboard } from '../../src/dashboard';

const custom = resolveConfig({
  heap: { highRatio: 0.9, targetRatio: 0.6, streakAlertChecks: 30, livenessFailChecks: 90, checkIntervalSeconds: 30 },
  alerts: { gcPressureRatio: 0.2, containerMemoryRatio: 0.8, runbookBaseUrl: 'https://runbooks.example.test/heap/' },
});

function panel(model: ReturnType<typeof buildMemoryDashboard>, title: string) {
  const p = allPanels(model).find((x) => x.title === title);
  assert.ok(p, `no panel titled ${JSON.stringify(title)}`);
  return p;
}
const steps = (p: ReturnType<typeof panel>) => p.fieldConfig?.defaults?.thresholds?.steps.map((s) => s.value);
const exprs = (p: ReturnType<typeof panel>) => (p.targets ?? []).map((t) => (t as unknown as { expr: string }).expr);

describe('dashboard follows the config', () => {
  const model = buildMemoryDashboard(custom);
  const text = JSON.stringify(model);

  it('draws the heap thresholds at heap.targetRatio and heap.highRatio', () => {
    assert.deepEqual(steps(panel(model, 'Heap used / limit')), [null, 0.6, 0.9]);
    assert.deepEqual(steps(panel(model, 'Heap used / limit over time')), [null, 0.6, 0.9]);
    const heap = exprs(panel(model, 'Heap per pod'));
    assert.ok(heap.some((e) => e.endsWith(' * 0.9')), heap.join('\n'));
    assert.ok(heap.some((e) => e.endsWith(' * 0.6')), heap.join('\n'));
    assert.ok(panel(model, 'Time under 60 % target'));
    // Nothing of the defaults is left behind.
    assert.doesNotMatch(text, /\* 0\.85\b|\* 0\.7\b|"value":0\.85|"value":0\.7\b|85 %|70 %/);
  });

  it('puts the streak alert and liveness counts on the streak stat', () => {
    assert.deepEqual(steps(panel(model, 'High-heap streak')), [null, 30, 90]);
    const noLiveness = buildMemoryDashboard(resolveConfig({ heap: { streakAlertChecks: 12, livenessFailChecks: 0 } }));
    assert.deepEqual(steps(panel(noLiveness, 'High-heap streak')), [null, 12]);
  });

  it('draws the GC pressure and container near-limit thresholds from alerts.*', () => {
    assert.deepEqual(steps(panel(model, 'Time in GC')), [null, 0.2]);
    assert.deepEqual(steps(panel(model, 'RSS / container limit')), [null, 0.8]);
    assert.ok(exprs(panel(model, 'Process memory vs container limit')).some((e) => e.endsWith(' * 0.8')));
  });

  it('links to the configured runbook base URL', () => {
    const urls = allPanels(model).flatMap((p) => (p.links ?? []).map((l) => l.url));
    assert.ok(urls.length > 0);
    for (const url of urls) assert.match(url ?? '', /^https:\/\/runbooks\.example\.test\/heap\/[A-Za-z]+\.md$/);
    assert.doesNotMatch(text, /github\.com\/heapwatch/);
  });

  it('widens the restart annotation window with the check interval', () => {
    // 4 checks of 30 s = 2 minutes.
    for (const a of model.annotations.list ?? []) {
      assert.equal(a.step, '2m', a.name);
      assert.match(a.expr ?? '', /\[2m\]/, a.name);
    }
  });

  it('draws the lines against heap total when heap.ratioBasis is total', () => {
    const total = buildMemoryDashboard(resolveConfig({ heap: { ratioBasis: HeapRatioBasis.TOTAL } }));
    const heap = exprs(panel(total, 'Heap per pod'));
    assert.ok(heap.some((e) => e.startsWith(`max by (pod) (${METRICS.heapTotal}{`) && e.endsWith(' * 0.85')), heap.join('\n'));
    assert.ok(!heap.some((e) => e.startsWith(`max by (pod) (${METRICS.heapLimit}{`) && e.endsWith(' * 0.85')));
    // The comparison series would repeat the alerting ratio, so it is left out.
    assert.equal(panel(total, 'Heap used / total').type, 'gauge');
    assert.equal(panel(total, 'Heap used / total over time').type, 'timeseries');
    assert.ok(!JSON.stringify(total).includes(METRICS.heapUsedTotalRatio));
  });

  it('fails naming the field when the config is invalid: the gate refuses the copy, resolveConfig names the field', () => {
    const base = resolveConfig();
    const bad = { ...base, heap: { ...base.heap, highRatio: 1.5, targetRatio: 0.95 } };
    assert.throws(() => buildMemoryDashboard(bad), (e: unknown) => {
      assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
      assert.match(e.message, /'config' .* given to buildMemoryDashboard\(\) must be what resolveConfig\(\) returns/);
      return true;
    });
    assert.throws(() => resolveConfig(bad), (e: unknown) => {
      assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
      assert.ok(e.problems.some((p) => p.startsWith("'heap.highRatio' (1.5)")), e.problems.join('\n'));
      return true;
    });
  });
});
