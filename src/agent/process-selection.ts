/**
 * Which process is watched: the app, not a package-manager wrapper, a worker thread, a cluster
 * worker or a helper process started by an already watched process. All of them inherit
 * NODE_OPTIONS and so load the agent; only one per pod may serve /livez and publish readings, or
 * they would fight over the port and the reading file.
 */
import cluster from 'node:cluster';
import { isMainThread } from 'node:worker_threads';
import { AGENT_ACTIVE_PID_ENV } from '../contract';

export type PassiveReason = 'worker-thread' | 'cluster-worker' | 'started-under-active-agent' | 'package-manager';

/** argv[1] of npm, npx, yarn, pnpm and corepack (their bin links, cli files and shims). */
const PACKAGE_MANAGER_SCRIPTS = [
  /(^|[\\/])(npm|npx|yarn|yarnpkg|pnpm|pnpx|corepack)(\.c?js|\.mjs)?$/,
  /(^|[\\/])(npm|npx)-cli\.js$/,
  /[\\/]\.yarn[\\/]releases[\\/]yarn-[^\\/]*\.c?js$/,
  /[\\/]node_modules[\\/](npm|yarn|pnpm|corepack)[\\/](bin|dist|shims)[\\/]/,
];

/** Why this process stays passive, or null when it is the one to watch. */
export function passiveReason(): PassiveReason | null {
  if (!isMainThread) return 'worker-thread';
  // Node removes NODE_UNIQUE_ID from the env before preloading; the cluster module knows.
  if (cluster.isWorker === true) return 'cluster-worker';
  const activePid = process.env[AGENT_ACTIVE_PID_ENV];
  if (activePid !== undefined && activePid !== '' && activePid !== String(process.pid)) return 'started-under-active-agent';
  const script = process.argv[1];
  if (typeof script === 'string' && PACKAGE_MANAGER_SCRIPTS.some((re) => re.test(script))) return 'package-manager';
  return null;
}

/** Marks this process as the watched one: every process started under it inherits the mark. */
export function markActive(): void {
  process.env[AGENT_ACTIVE_PID_ENV] = String(process.pid);
}
