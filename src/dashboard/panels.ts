/**
 * Shared panel factories: every panel of the dashboard is made here, so datasource, units,
 * legends, threshold styling and runbook links are uniform and the section files only say
 * what to show.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { ResolvedConfig, runbookUrl } from '../config';
import { AlertName } from '../contract';
import { DATASOURCE, instantQuery, QuerySpec, rangeQuery, refId } from './queries';
import { Unit } from './units';

/** Colours used for states, so "target" and "high" look the same on every panel. */
export const COLOR = {
  ok: 'green',
  target: 'orange',
  high: 'red',
  critical: 'dark-red',
  neutral: 'blue',
  limit: 'text',
} as const;

/** A panel builder that the dashboard can number and place. */
export type PanelSpec = timeseries.PanelBuilder | stat.PanelBuilder | gauge.PanelBuilder | statetimeline.PanelBuilder;

/** One threshold step: from `value` up, the colour is `color`. */
export interface Step {
  readonly value: number;
  readonly color: string;
}

/** What every panel has. */
export interface PanelProps {
  readonly title: string;
  /** Shown in the panel's (i) tooltip: what it shows and why it matters. */
  readonly description: string;
  readonly unit: Unit;
  readonly queries: readonly QuerySpec[];
  /** Grid columns, of 24. */
  readonly width: number;
  /** Grid rows. @default 8 */
  readonly height?: number;
  /**
   * Colours above a base colour, e.g. [{ value: 0.7, color: 'orange' }, { value: 0.85, color: 'red' }].
   * @default - no thresholds (the base colour only)
   */
  readonly steps?: readonly Step[];
  /** Colour below the first step. @default COLOR.ok */
  readonly baseColor?: string;
  /** Axis or gauge minimum. @default - automatic */
  readonly min?: number;
  /** Axis or gauge maximum. @default - automatic */
  readonly max?: number;
  /** Alerts whose runbooks the panel links to. @default [] */
  readonly runbooks?: readonly AlertName[];
}

/** Panel links to the runbooks of the alerts a panel explains (runbookUrl from the config). */
export function runbookLinks(config: ResolvedConfig, alerts: readonly AlertName[]): dashboard.DashboardLinkBuilder[] {
  return alerts.map((alert) =>
    new dashboard.DashboardLinkBuilder(`Runbook: ${alert}`)
      .type(dashboard.DashboardLinkType.Link)
      .url(runbookUrl(config, alert))
      .targetBlank(true));
}

function thresholds(p: PanelProps): dashboard.ThresholdsConfigBuilder {
  // Grafana requires the base step's value to be null ("from minus infinity").
  const steps: dashboard.Threshold[] = [{ value: null, color: p.baseColor ?? COLOR.ok }];
  for (const s of p.steps ?? []) steps.push({ value: s.value, color: s.color });
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

/** Applies what every panel type shares; `B` is one of the SDK's panel builders. */
function applyCommon<B extends PanelSpec>(b: B, p: PanelProps, config: ResolvedConfig): B {
  b.title(p.title)
    .description(p.description)
    .datasource(DATASOURCE)
    .unit(p.unit)
    .span(p.width)
    .height(p.height ?? 8)
    .thresholds(thresholds(p));
  if (p.min !== undefined) b.min(p.min);
  if (p.max !== undefined) b.max(p.max);
  if ((p.runbooks ?? []).length > 0) b.links(runbookLinks(config, p.runbooks ?? []));
  return b;
}

/** Series over time. Queries with a thresholdColor are drawn as dashed threshold lines. */
export function timeSeriesPanel(config: ResolvedConfig, p: PanelProps & {
  /**
   * Also draw the threshold steps as dashed horizontal lines (for ratio panels whose
   * thresholds are constants).
   * @default false
   */
  readonly drawSteps?: boolean;
  /** Label of the y axis. @default - none */
  readonly axisLabel?: string;
}): timeseries.PanelBuilder {
  const b = applyCommon(new timeseries.PanelBuilder(), p, config)
    .targets(p.queries.map(rangeQuery))
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .legend(new common.VizLegendOptionsBuilder()
      .showLegend(true)
      .displayMode(common.LegendDisplayMode.List)
      .placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.PaletteClassic))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder()
      .mode(p.drawSteps ? common.GraphThresholdsStyleMode.Dashed : common.GraphThresholdsStyleMode.Off));
  if (p.axisLabel !== undefined) b.axisLabel(p.axisLabel);
  p.queries.forEach((q, i) => {
    const properties: dashboard.DynamicConfigValue[] = [];
    if (q.thresholdColor !== undefined) {
      properties.push(
        { id: 'color', value: { mode: dashboard.FieldColorModeId.Fixed, fixedColor: q.thresholdColor } },
        { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
        { id: 'custom.fillOpacity', value: 0 },
      );
    }
    if (q.rightAxisUnit !== undefined) {
      properties.push({ id: 'unit', value: q.rightAxisUnit }, { id: 'custom.axisPlacement', value: common.AxisPlacement.Right });
    }
    if (properties.length > 0) b.overrideByQuery(refId(i), properties);
  });
  return b;
}

/** One big number per series, coloured by the thresholds. */
export function statPanel(config: ResolvedConfig, p: PanelProps & {
  /** Text shown when the query returns nothing. @default - Grafana's "No data" */
  readonly noValue?: string;
}): stat.PanelBuilder {
  const b = applyCommon(new stat.PanelBuilder(), p, config)
    .targets(p.queries.map(instantQuery))
    .reduceOptions(lastValue())
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Auto);
  if (p.noValue !== undefined) b.noValue(p.noValue);
  return b;
}

/** A gauge per series, with the threshold steps marked on the dial. */
export function gaugePanel(config: ResolvedConfig, p: PanelProps): gauge.PanelBuilder {
  return applyCommon(new gauge.PanelBuilder(), p, config)
    .targets(p.queries.map(instantQuery))
    .reduceOptions(lastValue())
    .showThresholdMarkers(true)
    .showThresholdLabels(false);
}

/** States over time (1 = active), each mapped to a text and colour. */
export function stateTimelinePanel(config: ResolvedConfig, p: PanelProps & {
  /** Value -> text and colour, e.g. { 1: { text: 'firing', color: 'red' } }. */
  readonly states: Readonly<Record<string, { readonly text: string; readonly color: string }>>;
  /** Field-level data links (may use ${__field.labels.x}). @default [] */
  readonly dataLinks?: readonly { readonly title: string; readonly url: string }[];
}): statetimeline.PanelBuilder {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  Object.entries(p.states).forEach(([value, s], index) => { options[value] = { text: s.text, color: s.color, index }; });
  const b = applyCommon(new statetimeline.PanelBuilder(), p, config)
    .targets(p.queries.map(rangeQuery))
    .mappings([{ type: dashboard.MappingType.ValueToText, options }])
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.9)
    .legend(new common.VizLegendOptionsBuilder().showLegend(false).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
  const links = p.dataLinks ?? [];
  if (links.length > 0) {
    b.dataLinks(links.map((l) => new dashboard.DashboardLinkBuilder(l.title).type(dashboard.DashboardLinkType.Link).url(l.url).targetBlank(true)));
  }
  return b;
}

function lastValue(): common.ReduceDataOptionsBuilder {
  return new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false).fields('');
}
