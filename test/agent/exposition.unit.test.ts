/**
 * Lean mode's /metrics against the sidecar's for the same reading: the same families, types,
 * HELP, series and labels, except what lean mode gives up, listed here by name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildExposition } from '../../src/agent/exposition';
import { AgentReading, EXPORTER_SELF_PREFIX, METRICS } from '../../src/contract';
import { splitFamilies } from '../../src/exporter/exposition';
import { createExporterMetrics } from '../../src/exporter/metrics';

/** What the sidecar exports and lean mode does not (README, "Lean mode"). */
const LEAN_GIVES_UP = [
  METRICS.snapshots, // no admin API, so no requested snapshots to count
  METRICS.heapProfiles, // nor requested allocation profiles
  `${EXPORTER_SELF_PREFIX}agent_lines_rejected_total`, // no socket or file between two processes to reject lines on
];

const NOW = 1_795_717_813_285;
const READING: AgentReading = {
  type: 'reading', pid: 4242, startTime: 1_795_717_000.5, ts: NOW - 1000, nodeVersion: 'v24.0.0',
  heapUsed: 100_000_000, heapTotal: 120_000_000, heapLimit: 400_000_000, external: 3_000_000, arrayBuffers: 1_000_000, rss: 200_000_000,
  spaces: { old_space: 80_000_000, new_space: 1_000_000, large_object_space: 5_000_000 },
  ratio: 0.25, totalRatio: 0.8333, streak: 3, liveAfterGc: 90_000_000,
  gc: { major: { buckets: [0, 1, 3, 3, 3, 3], count: 3, sum: 0.042 }, minor: { buckets: [5, 9, 9, 9, 9, 9], count: 9, sum: 0.01 } },
  eventLoopLagP99: 0.012, forcedGc: { count: 2, lastReclaimedBytes: 1234 }, livenessFailing: false, containerMemoryLimit: 1_073_741_824,
};

async function sidecarText(reading: AgentReading | undefined): Promise<string> {
  const m = createExporterMetrics({
    agentUp: () => reading !== undefined, restarts: () => ({ heap_streak: 1, other: 2 }), containerMemoryLimit: () => reading?.containerMemoryLimit ?? undefined, current: () => reading,
  });
  return m.registry.metrics();
}

const leanText = (reading: AgentReading | null, nowMs = NOW, disabled = false) =>
  buildExposition({ reading, restarts: { heap_streak: 1, other: 2 }, checkIntervalSeconds: 15, disabled, nowMs });

describe('lean mode exposition', () => {
  it('writes what the sidecar writes for the same reading, line for line, but what lean mode gives up', async () => {
    const sidecar = splitFamilies(await sidecarText(READING));
    const lean = splitFamilies(leanText(READING));
    assert.deepEqual([...lean.keys()], [...sidecar.keys()].filter((name) => !LEAN_GIVES_UP.includes(name)));
    for (const [name, lines] of lean) assert.deepEqual(lines, sidecar.get(name), name);
    for (const name of LEAN_GIVES_UP) assert.ok(sidecar.has(name), `the sidecar still exports ${name}, so listing it here means something`);
  });

  it('exports no app family and heapwatch_agent_up 0 for a stale reading, a disabled agent, or before the first check', async () => {
    const sidecarStale = splitFamilies(await sidecarText(undefined));
    for (const text of [leanText(READING, NOW + 60_000), leanText(READING, NOW, true), leanText(null)]) {
      const lean = splitFamilies(text);
      assert.ok(lean.get(METRICS.agentUp)!.includes(`${METRICS.agentUp} 0`));
      assert.deepEqual(lean.get(METRICS.heapUsed), sidecarStale.get(METRICS.heapUsed), 'HELP and TYPE only, like the sidecar');
      assert.equal(lean.get(METRICS.heapUsed)!.length, 2);
    }
  });

  it('escapes label values as the text format requires', () => {
    const text = leanText({ ...READING, spaces: { 'odd"space\\\n': 1 } });
    assert.match(text, /^nodejs_heap_space_size_used_bytes\{space="odd\\"space\\\\\\n"\} 1$/m);
  });
});
