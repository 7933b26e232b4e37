/**
 * The environment the agent (in the app container) and the exporter sidecar read, from
 * the one config. The names are the contract in src/contract.ts.
 */
import { k8s } from 'cdk8s-plus-27';
import { parseDuration, parseQuantity, requireResolved, ResolvedConfig } from '../config';
import { AGENT_ENV, CONTAINERS, EXPORTER_ENV, livenessToleranceSeconds, SHARED_DIR, TOKEN_MOUNT_DIR } from '../contract';

const value = (name: string, v: string | number | boolean): k8s.EnvVar => ({ name, value: String(v) });

/** The app container's memory limit in bytes, through the Downward API (so it is always the live value). */
const appMemoryLimit = (name: string): k8s.EnvVar => ({
  name,
  valueFrom: { resourceFieldRef: { containerName: CONTAINERS.app, resource: 'limits.memory', divisor: k8s.Quantity.fromString('1') } },
});

export function agentEnv(c: ResolvedConfig): k8s.EnvVar[] {
  requireResolved(c, 'agentEnv()');
  const h = c.heap;
  return [
    value(AGENT_ENV.dir, SHARED_DIR),
    value(AGENT_ENV.checkIntervalSeconds, h.checkIntervalSeconds),
    value(AGENT_ENV.highRatio, h.highRatio),
    value(AGENT_ENV.ratioBasis, h.ratioBasis),
    value(AGENT_ENV.streakAlertChecks, h.streakAlertChecks),
    value(AGENT_ENV.livenessFailChecks, h.livenessFailChecks),
    value(AGENT_ENV.livenessPort, c.app.livenessPort),
    value(AGENT_ENV.startupGraceSeconds, h.startupGraceSeconds),
    value(AGENT_ENV.snapshotBeforeRestart, h.snapshotBeforeRestart),
    value(AGENT_ENV.livenessToleranceSeconds, livenessToleranceSeconds()),
    value(AGENT_ENV.allocationProfile, h.allocationProfile.enabled),
    value(AGENT_ENV.allocationSamplingIntervalBytes, h.allocationProfile.samplingIntervalBytes),
    appMemoryLimit(AGENT_ENV.containerMemoryLimitBytes),
    // Stable across container restarts: it picks the pod's slot in the liveness spread (src/agent/streak.ts).
    { name: AGENT_ENV.podName, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    // Lean mode: no sidecar, so the agent serves /metrics on the hw-metrics port.
    ...(c.exporter.sidecar ? [] : [value(AGENT_ENV.metricsPort, c.exporter.port)]),
  ];
}

export function exporterEnv(c: ResolvedConfig): k8s.EnvVar[] {
  requireResolved(c, 'exporterEnv()');
  const e = c.exporter;
  return [
    value(EXPORTER_ENV.dir, SHARED_DIR),
    value(EXPORTER_ENV.port, e.port),
    value(EXPORTER_ENV.source, e.source),
    value(EXPORTER_ENV.scrapeUrl, `http://127.0.0.1:${c.app.port}${e.scrapePath}`),
    value(EXPORTER_ENV.checkIntervalSeconds, c.heap.checkIntervalSeconds),
    value(EXPORTER_ENV.tokenFile, `${TOKEN_MOUNT_DIR}/${e.snapshots.tokenSecretKey}`),
    value(EXPORTER_ENV.snapshotMaxKept, e.snapshots.maxKept),
    value(EXPORTER_ENV.snapshotCooldownSeconds, parseDuration(e.snapshots.cooldown)!),
    value(EXPORTER_ENV.snapshotVolumeLimitBytes, parseQuantity(e.snapshots.volumeSizeLimit)!),
    appMemoryLimit(EXPORTER_ENV.containerMemoryLimitBytes),
  ];
}
