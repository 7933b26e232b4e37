/** One config in, every heapwatch rule group out (like a monitoring mixin). */
import { DeployMode, requireResolved, ResolvedConfig } from '../config';
import { topSiteRecord } from './allocation-site';
import { containerAlerts } from './container-alerts';
import { heapAlerts, leakAlert } from './heap-alerts';
import { metaAlerts } from './meta-alerts';
import { RuleGroup } from './model';
import { gcTimeRecord, liveAfterGcRecord, recordingGroups, slowInterval } from './recording-rules';

/**
 * The recording and alerting rule groups for a resolved config (`resolveConfig()`), as plain
 * objects. resolveConfig() validated every value the rules use, so none is checked again here.
 */
export function buildRuleGroups(config: ResolvedConfig): RuleGroup[] {
  requireResolved(config, 'buildRuleGroups()');
  const groups: RuleGroup[] = [
    ...recordingGroups(config),
    { name: 'heapwatch.heap', rules: [gcTimeRecord(), ...heapAlerts(config)] },
    // The agent refreshes its allocation sites at most once a minute (ALLOCATION_SITES.refreshSeconds).
    { name: 'heapwatch.allocation-sites', interval: slowInterval(config), rules: [topSiteRecord()] },
    { name: 'heapwatch.leak', interval: slowInterval(config), rules: [liveAfterGcRecord(), leakAlert(config)] },
    { name: 'heapwatch.container', rules: containerAlerts(config) },
    { name: 'heapwatch.meta', rules: metaAlerts(config) },
  ];
  return config.mode === DeployMode.OPERATOR ? groups.map((g) => withInterval(g, config.prometheus.evaluationInterval)) : groups;
}

/**
 * Operator mode: every group runs at prometheus.evaluationInterval, as in standalone mode, rather
 * than at kube-prometheus-stack's global interval (30s by default, whatever an install chose), which
 * synth cannot know: so the `for:` boundaries and rollups the promtool tests pin are the ones that run.
 */
function withInterval(g: RuleGroup, interval: string): RuleGroup {
  return { name: g.name, interval: g.interval ?? interval, rules: g.rules };
}
