/**
 * Debian's Prometheus is built without Kubernetes service discovery, so to check or run the
 * synthesized prometheus.yml on one machine, each `kubernetes_sd_configs` block is swapped
 * for `static_configs` carrying the labels the relabelling would have produced. Everything
 * else in the file stays exactly as synthesized.
 */

/** A static target and the labels pod discovery would have given it. */
export interface StaticTarget {
  readonly address: string;
  readonly labels?: Record<string, string>;
}

/**
 * Returns a copy of `config` in which every job with `kubernetes_sd_configs` scrapes the
 * targets given for it instead (its discovery relabelling removed). A discovery job with no
 * targets given is dropped, and `rewrite` can change anything else (e.g. alerting targets).
 */
export function withStaticDiscovery(config: Record<string, any>, targets: Record<string, StaticTarget[]>): Record<string, any> {
  const copy = structuredClone(config);
  copy.scrape_configs = (copy.scrape_configs as any[]).flatMap((job) => {
    if (!job.kubernetes_sd_configs) return [job];
    const given = targets[job.job_name];
    if (!given || given.length === 0) return [];
    const { kubernetes_sd_configs: _sd, relabel_configs: _relabel, ...rest } = job;
    return [{ ...rest, static_configs: given.map((t) => ({ targets: [t.address], ...(t.labels ? { labels: t.labels } : {}) })) }];
  });
  return copy;
}

/** The job names that use Kubernetes discovery in a config. */
export function discoveryJobs(config: Record<string, any>): string[] {
  return (config.scrape_configs as any[]).filter((j) => j.kubernetes_sd_configs).map((j) => j.job_name);
}
