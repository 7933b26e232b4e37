/**
 * The agent is dependency-free JavaScript and cannot import src/contract.ts or the config
 * defaults, so it repeats them. This test fails when the copies drift apart.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG } from '../src/config';
import {
  AGENT_ACTIVE_PID_ENV, AGENT_ENV, AGENT_READING_FILE, AGENT_SOCKET, livenessToleranceSeconds, RESTART_MARKER, SHARED_DIR, SNAPSHOT_SUBDIR,
} from '../src/contract';

const AGENT = join(__dirname, '..', '..', 'src', 'agent', 'heapwatch-agent.js');

/** The agent's exports, read in a child process that the agent treats as passive (it starts nothing). */
function agentExports(): any {
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(AGENT)})))`;
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
    assert.deepEqual(agent.FILES, { socket: AGENT_SOCKET, reading: AGENT_READING_FILE, snapshots: SNAPSHOT_SUBDIR, restartMarker: RESTART_MARKER });
  });

  it('defaults to the config defaults', () => {
    const h = DEFAULT_CONFIG.heap;
    assert.equal(agent.DEFAULTS.dir, SHARED_DIR);
    assert.equal(agent.DEFAULTS.checkIntervalSeconds, h.checkIntervalSeconds);
    assert.equal(agent.DEFAULTS.highRatio, h.highRatio);
    assert.equal(agent.DEFAULTS.ratioBasis, h.ratioBasis);
    assert.equal(agent.DEFAULTS.streakAlertChecks, h.streakAlertChecks);
    assert.equal(agent.DEFAULTS.livenessFailChecks, h.livenessFailChecks);
    assert.equal(agent.DEFAULTS.livenessPort, DEFAULT_CONFIG.app.livenessPort);
    assert.equal(agent.DEFAULTS.startupGraceSeconds, h.startupGraceSeconds);
    assert.equal(agent.DEFAULTS.snapshotBeforeRestart, h.snapshotBeforeRestart);
    assert.equal(agent.DEFAULTS.livenessToleranceSeconds, livenessToleranceSeconds());
  });
});
