/** Prometheus targets for panels and annotations, all bound to the ${datasource} variable. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { VAR } from './selectors';
import { Unit } from './units';

/**
 * Every panel, target and annotation points at the datasource variable, never at a fixed
 * uid, so the dashboard works against whichever Prometheus datasource Grafana has.
 */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: `\${${VAR.datasource}}` };

/** One query of a panel. */
export interface QuerySpec {
  readonly expr: string;
  /**
   * Legend template, e.g. "{{pod}} used".
   * @default - Grafana's own (the series labels)
   */
  readonly legend?: string;
  /**
   * Draw this series as a threshold: a dashed line in this colour, no fill. For lines that
   * follow a series (limit * highRatio) rather than a constant.
   * @default - an ordinary series
   */
  readonly thresholdColor?: string;
  /**
   * Draw this series against a right-hand axis in this unit (time series panels).
   * @default - the panel's unit, left axis
   */
  readonly rightAxisUnit?: Unit;
}

/** Ref ids A, B, C ... in query order. */
export function refId(index: number): string {
  if (index < 0 || index >= 26) throw new Error(`query index (${index}) must be 0..25: a panel has at most 26 queries`);
  return String.fromCharCode(65 + index);
}

/** A range query (time series panels). */
export function rangeQuery(q: QuerySpec, index: number): prometheus.DataqueryBuilder {
  return base(q, index).range();
}

/** An instant query (stat and gauge panels: one value now, and the 30-day queries run once). */
export function instantQuery(q: QuerySpec, index: number): prometheus.DataqueryBuilder {
  return base(q, index).instant();
}

function base(q: QuerySpec, index: number): prometheus.DataqueryBuilder {
  const b = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(refId(index))
    .expr(q.expr)
    .editorMode(prometheus.QueryEditorMode.Code);
  return q.legend === undefined ? b : b.legendFormat(q.legend);
}
