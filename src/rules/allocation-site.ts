/**
 * The sentence the heap alerts add to their messages: the pod's top live allocation site and
 * its share of the sampled live heap, e.g. "61% of the sampled live heap was allocated at
 * LedgerService.append (src/ledger.service.ts:42).", read by Prometheus when it renders the
 * annotation (a `query` template), so Slack carries it with no extra hop.
 *
 * Prometheus renders an alert's annotations for every active alert at every evaluation, so the
 * template reads one recorded series (topSiteRecord) instead of picking the top site itself.
 */
import { METRICS, RECORDS, TARGET_LABELS } from '../contract';
import { RecordingRule } from './model';
import { BY_POD, sidecar } from './promql';

export interface SiteSentence {
  /** Look back this far (max_over_time) instead of now: after a restart, the new process has not leaked yet. */
  readonly window?: string;
  /** Words before the share, e.g. "Before the restart, ". */
  readonly lead?: string;
}

/** What the sentence says when the pod has no allocation site series (profiler off, or no reading yet). */
export const NO_SITE_TEXT = 'No allocation profile names a site for this pod yet (heap.allocationProfile is off, or the agent has not read one).';

/**
 * Per pod, the top site over the sampled total of the same profile, keeping the site's labels.
 * Every slowInterval (its group, heapwatch.allocation-sites; 1m by default, as often as the agent
 * refreshes its sites).
 */
export function topSiteRecord(): RecordingRule {
  const site = sidecar(METRICS.allocationSiteBytes);
  return {
    record: RECORDS.topAllocationSiteShare,
    expr: `max by (${BY_POD}, function, location) (topk by (${BY_POD}) (1, ${site}))\n` +
      `/ on (${BY_POD}) group_left ()\n` +
      `max by (${BY_POD}) (${sidecar(METRICS.allocationSampledBytes)})`,
  };
}

/** PromQL for printf: the pod's recorded top site, the namespace and pod left as %q. */
export function topSiteQuery(s: SiteSentence = {}): string {
  const sel = `${RECORDS.topAllocationSiteShare}{${TARGET_LABELS.namespace}=%q, ${TARGET_LABELS.pod}=%q}`;
  // After a restart: the site with the largest share within the window (the new process may name none yet).
  return s.window === undefined ? sel : `topk(1, max_over_time(${sel}[${s.window}]))`;
}

/** The Go template block (Prometheus alert templating: printf, query, range, humanizePercentage). */
export function topSiteTemplate(s: SiteSentence = {}): string {
  return `{{ range printf \`${topSiteQuery(s)}\` $labels.namespace $labels.pod | query }}${s.lead ?? ''}{{ .Value | humanizePercentage }} of the sampled live heap ` +
    `was allocated at {{ .Labels.function }} ({{ .Labels.location }}).{{ else }}${NO_SITE_TEXT}{{ end }}`;
}
