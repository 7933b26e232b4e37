/** One config in, every heapwatch rule group out (like a monitoring mixin). */
import { DURATION_FORMS, HeapwatchConfig, parseDuration } from '../config';
import { containerAlerts } from './container-alerts';
import { heapAlerts } from './heap-alerts';
import { metaAlerts } from './meta-alerts';
import { RuleGroup } from './model';
import { recordingGroups } from './recording-rules';

/**
 * The recording and alerting rule groups for a resolved config (`resolveConfig()`), as plain
 * objects. Throws, naming the field, when a value the rules use is not usable, so a hand-built
 * config fails here instead of in Prometheus.
 */
export function buildRuleGroups(config: HeapwatchConfig): RuleGroup[] {
  checkRuleInputs(config);
  return [
    ...recordingGroups(config),
    { name: 'heapwatch.heap', rules: heapAlerts(config) },
    { name: 'heapwatch.container', rules: containerAlerts(config) },
    { name: 'heapwatch.meta', rules: metaAlerts(config) },
  ];
}

function checkRuleInputs(c: HeapwatchConfig): void {
  const problems: string[] = [];
  const a = c.alerts;
  for (const key of ['heapHighFor', 'leakForecastHorizon', 'leakLookback', 'leakStartupGrace', 'gcPressureFor',
    'containerMemoryFor', 'oomWindow', 'exporterDownFor', 'agentMissingFor'] as const) {
    if (parseDuration(a[key]) === undefined) problems.push(`'alerts.${key}' (${JSON.stringify(a[key])}) must be ${DURATION_FORMS}`);
  }
  const ratios: [string, number][] = [['heap.highRatio', c.heap.highRatio], ['heap.targetRatio', c.heap.targetRatio],
    ['alerts.gcPressureRatio', a.gcPressureRatio], ['alerts.containerMemoryRatio', a.containerMemoryRatio]];
  for (const [field, v] of ratios) {
    if (!(typeof v === 'number' && v > 0 && v <= 1)) problems.push(`'${field}' (${JSON.stringify(v)}) must be a number in (0, 1]`);
  }
  if (!(Number.isInteger(c.heap.streakAlertChecks) && c.heap.streakAlertChecks >= 1)) {
    problems.push(`'heap.streakAlertChecks' (${JSON.stringify(c.heap.streakAlertChecks)}) must be a whole number >= 1`);
  }
  if (problems.length > 0) throw new Error(`cannot build heapwatch rules:\n  - ${problems.join('\n  - ')}`);
}
