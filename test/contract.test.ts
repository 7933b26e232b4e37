/**
 * The agent imports its names and defaults from src/contract.ts and src/config/defaults.ts; this
 * test checks that the bundle that ships carries exactly those, and that no agent module
 * repeats one of them as a literal (a copy that could drift).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG } from '../src/config';
import {
  AGENT_ACTIVE_PID_ENV, AGENT_ENV, AGENT_READING_FILE, AGENT_SOCKET, ALLOCATION_SITES, GC_BUCKETS_SECONDS, INSPECTOR_PORT, livenessToleranceSeconds,
  PROFILE_SUBDIR, RESTART_MARKER, RESTART_REASONS, SHARED_DIR, SNAPSHOT_SUBDIR,
} from '../src/contract';
import { agentBundle } from './support/agent-bundle';
import { REPO_ROOT } from './support/repo-root';

/** The bundle's exports, read in a child process that the agent treats as passive (it starts nothing). */
function agentExports(): any {
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(agentBundle())})))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    // Marked as started under another active agent: the agent stays passive.
    env: { ...process.env, [AGENT_ACTIVE_PID_ENV]: String(process.pid), NODE_OPTIONS: '' },
  });
  return JSON.parse(out);
}

describe('agent <-> contract', () => {
  const agent = agentExports();

  it('uses the contract environment names', () => {
    assert.deepEqual(agent.ENV, AGENT_ENV);
    assert.equal(agent.ACTIVE_PID_ENV, AGENT_ACTIVE_PID_ENV);
  });

  it('uses the contract file names in the shared volume', () => {
    assert.deepEqual(agent.FILES, { socket: AGENT_SOCKET, reading: AGENT_READING_FILE, snapshots: SNAPSHOT_SUBDIR, profiles: PROFILE_SUBDIR, restartMarker: RESTART_MARKER });
  });

  it('uses the contract GC buckets, restart reason and inspector port', () => {
    assert.deepEqual(agent.GC_BUCKETS_SECONDS, GC_BUCKETS_SECONDS);
    assert.equal(agent.RESTART_REASON, RESTART_REASONS.heapStreak);
    assert.equal(agent.INSPECTOR_PORT, INSPECTOR_PORT);
  });

  it('defaults to the config defaults', () => {
    const h = DEFAULT_CONFIG.heap;
    assert.deepEqual(agent.DEFAULTS, {
      dir: SHARED_DIR,
      checkIntervalSeconds: h.checkIntervalSeconds,
      highRatio: h.highRatio,
      ratioBasis: h.ratioBasis,
      streakAlertChecks: h.streakAlertChecks,
      livenessFailChecks: h.livenessFailChecks,
      livenessPort: DEFAULT_CONFIG.app.livenessPort,
      startupGraceSeconds: h.startupGraceSeconds,
      snapshotBeforeRestart: h.snapshotBeforeRestart,
      containerMemoryLimitBytes: null,
      livenessToleranceSeconds: livenessToleranceSeconds(),
      allocationProfile: h.allocationProfile.enabled,
      allocationSamplingIntervalBytes: h.allocationProfile.samplingIntervalBytes,
      allocationSitesRefreshSeconds: ALLOCATION_SITES.refreshSeconds,
      // Set by the construct only: the Downward API's pod name, and lean mode's metrics port.
      podName: null,
      metricsPort: null,
    });
  });

  it('no agent module repeats a contract name or default as a literal', () => {
    const dir = path.join(REPO_ROOT, 'src/agent');
    const copies = [
      ...Object.values(AGENT_ENV), AGENT_ACTIVE_PID_ENV, AGENT_SOCKET, AGENT_READING_FILE, RESTART_MARKER, RESTART_REASONS.heapStreak, SHARED_DIR,
    ].map((name) => new RegExp(`['"\`]${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"\`]`));
    copies.push(new RegExp(`\\b${INSPECTOR_PORT}\\b`), new RegExp(GC_BUCKETS_SECONDS.join(',\\s*').replace(/\./g, '\\.')));
    const found: string[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const re of copies) if (re.test(text)) found.push(`${file}: ${re.source}`);
    }
    assert.deepEqual(found, []);
  });
});
