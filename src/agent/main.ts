/**
 * heapwatch agent, the entry point of the bundle (build/bundles/heapwatch-agent.js, by
 * scripts/bundle.ts): loaded into the user's Node.js process with
 *   NODE_OPTIONS="--require /opt/heapwatch/heapwatch-agent.js --max-old-space-size=N"   (the ConfigMap delivery)
 *
 * One CommonJS file, Node built-ins only, Node 20+. Its one promise to the app: it never
 * throws into it, never keeps it alive, never crashes it; a fault disables it and logs once.
 *
 * Start-up decides whether this process is the one to watch (process-selection.ts); only
 * then does it load the rest (agent.ts and the modules it wires), so a passive process (npm's
 * wrapper, a worker thread, a child process) loads no server, socket or inspector code.
 * `state` is on a global symbol so a second --require of this file is a no-op and tests can
 * ask a process whether (and why not) it is watched.
 */
import {
  AGENT_ACTIVE_PID_ENV, AGENT_ENV, AGENT_READING_FILE, AGENT_SOCKET, GC_BUCKETS_SECONDS, INSPECTOR_PORT, PROFILE_SUBDIR, RESTART_MARKER, RESTART_REASONS, SNAPSHOT_SUBDIR,
} from '../contract';
import type { AgentState } from './agent';
import { errorText, logOnce } from './log';
import { markActive, passiveReason } from './process-selection';
import { DEFAULTS, readSettings } from './settings';

const STATE_KEY = Symbol.for('heapwatch.agent');

function main(): void {
  try {
    const global = globalThis as { [STATE_KEY]?: AgentState };
    if (global[STATE_KEY] !== undefined) return;
    const state: AgentState = { active: false, reason: null, pid: process.pid };
    global[STATE_KEY] = state;
    const reason = passiveReason();
    if (reason !== null) {
      state.reason = reason;
      return;
    }
    const settings = readSettings(process.env);
    state.active = true;
    markActive();
    const { Agent } = require('./agent') as typeof import('./agent');
    new Agent(settings, state).start();
  } catch (err) {
    logOnce('start', 'error', 'heapwatch agent did not start; the app is not affected', { error: errorText(err) });
  }
}

main();

/**
 * What the agent uses from the contract and the config, as the bundle carries it:
 * test/contract.test.ts compares these with src/contract.ts and src/config/defaults.ts.
 */
export const ENV = AGENT_ENV;
export const ACTIVE_PID_ENV = AGENT_ACTIVE_PID_ENV;
export const FILES = { socket: AGENT_SOCKET, reading: AGENT_READING_FILE, snapshots: SNAPSHOT_SUBDIR, profiles: PROFILE_SUBDIR, restartMarker: RESTART_MARKER };
export const RESTART_REASON = RESTART_REASONS.heapStreak;
export { DEFAULTS, GC_BUCKETS_SECONDS, INSPECTOR_PORT };
export { SNAPSHOT_MODEL } from './snapshot-model';
