/** One config in, every heapwatch rule group out (like a monitoring mixin). */
import { requireResolved, ResolvedConfig } from '../config';
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
  return [
    ...recordingGroups(config),
    { name: 'heapwatch.heap', rules: [gcTimeRecord(), ...heapAlerts(config)] },
    // The agent refreshes its allocation sites at most once a minute (ALLOCATION_SITES.refreshSeconds).
    { name: 'heapwatch.allocation-sites', interval: slowInterval(config), rules: [topSiteRecord()] },
    { name: 'heapwatch.leak', interval: slowInterval(config), rules: [liveAfterGcRecord(), leakAlert(config)] },
    { name: 'heapwatch.container', rules: containerAlerts(config) },
    { name: 'heapwatch.meta', rules: metaAlerts(config) },
  ];
}
