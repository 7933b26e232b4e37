/**
 * The sentence the heap alerts add to their messages: the pod's top live allocation site and
 * its share of the sampled live heap, e.g. "61% of the sampled live heap was allocated at
 * LedgerService.append (src/ledger.service.ts:42).", read by Prometheus when it renders the
 * annotation (a `query` template), so Slack carries it with no extra hop.
 */
import { METRICS, TARGET_LABELS } from '../contract';
import { sidecar } from './promql';

export interface SiteSentence {
  /** Look back this far (max_over_time) instead of now: after a restart, the new process has not leaked yet. */
  readonly window?: string;
  /** Words before the share, e.g. "Before the restart, ". */
  readonly lead?: string;
}

/** What the sentence says when the pod has no allocation site series (profiler off, or no reading yet). */
export const NO_SITE_TEXT = 'No allocation profile names a site for this pod yet (heap.allocationProfile is off, or the agent has not read one).';

const POD_MATCHERS = { [TARGET_LABELS.namespace]: '%q', [TARGET_LABELS.pod]: '%q' };

/** PromQL for printf: the top site over the pod's sampled total, the namespace and pod left as %q. */
export function topSiteQuery(s: SiteSentence = {}): string {
  const sel = (metric: string) => {
    const text = sidecar(metric).replace(/\}$/, `, ${Object.entries(POD_MATCHERS).map(([k, v]) => `${k}=${v}`).join(', ')}}`);
    return s.window === undefined ? text : `max_over_time(${text}[${s.window}])`;
  };
  return `topk(1, ${sel(METRICS.allocationSiteBytes)}) / on (${TARGET_LABELS.namespace}, ${TARGET_LABELS.pod}) group_left () ${sel(METRICS.allocationSampledBytes)}`;
}

/** The Go template block (Prometheus alert templating: printf, query, range, humanizePercentage). */
export function topSiteTemplate(s: SiteSentence = {}): string {
  const args = '$labels.namespace $labels.pod $labels.namespace $labels.pod';
  return `{{ range printf \`${topSiteQuery(s)}\` ${args} | query }}${s.lead ?? ''}{{ .Value | humanizePercentage }} of the sampled live heap ` +
    `was allocated at {{ .Labels.function }} ({{ .Labels.location }}).{{ else }}${NO_SITE_TEXT}{{ end }}`;
}
