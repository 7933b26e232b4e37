/**
 * Template variables: the Prometheus datasource, then namespace -> app -> pod, each listing
 * only the values present under the one before it.
 */
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS, TARGET_LABELS } from '../contract';
import { DATASOURCE } from './queries';
import { VAR } from './selectors';

/**
 * The series the variables list labels from: heap used is exported in both sidecar modes
 * (agent and scrape), so every watched pod has it.
 */
const SOURCE = METRICS.heapUsed;

function labelValues(name: string, label: string, matchers: string): dashboard.QueryVariableBuilder {
  const query = `label_values(${SOURCE}${matchers}, ${label})`;
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    // Pods come and go (restarts, rollouts), so the lists follow the time range.
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

export function variables(): cog.Builder<dashboard.VariableModel>[] {
  return [
    new dashboard.DatasourceVariableBuilder(VAR.datasource).label('Datasource').type('prometheus'),
    labelValues(VAR.namespace, TARGET_LABELS.namespace, ''),
    labelValues(VAR.app, TARGET_LABELS.app, `{${TARGET_LABELS.namespace}=~"$${VAR.namespace}"}`),
    // No custom "All" value: Grafana then expands All into this app's pods, which keeps the
    // kube-state-metrics queries (no app label) to this app.
    labelValues(VAR.pod, TARGET_LABELS.pod, `{${TARGET_LABELS.namespace}=~"$${VAR.namespace}", ${TARGET_LABELS.app}=~"$${VAR.app}"}`)
      .multi(true)
      .includeAll(true)
      .current({ selected: true, text: ['All'], value: ['$__all'] }),
  ];
}
