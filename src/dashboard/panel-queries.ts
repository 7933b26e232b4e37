/**
 * Every query of a dashboard with its variables filled in, as Grafana would send it to
 * Prometheus: for promtool checks and for evaluating the queries on a real Prometheus.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { BUILTIN, VAR } from './selectors';

/** Values for the template and built-in variables. */
export interface QueryVariables {
  /** The namespace variable (a label value or a regex). */
  readonly namespace: string;
  /** The app variable. */
  readonly app: string;
  /** The pod variable; Grafana sends a multi-value selection as a regex such as "(a|b)". */
  readonly pod: string;
  /** $__rate_interval. @default "1m" */
  readonly rateInterval?: string;
  /** $__interval. @default "30s" */
  readonly interval?: string;
  /** $__range. @default "6h" (the dashboard's default time range) */
  readonly range?: string;
}

export interface PanelQuery {
  /** The panel's title, or "annotation: <name>" for an annotation query. */
  readonly panelTitle: string;
  readonly refId: string;
  /** The PromQL with every variable substituted. */
  readonly expr: string;
}

const DURATION = /^[0-9]+(ms|s|m|h|d|w|y)$/;

/** All panel and annotation queries of `model`, variables substituted; throws on a variable it does not know. */
export function panelQueries(model: dashboard.Dashboard, vars: QueryVariables): PanelQuery[] {
  const builtins: Record<string, string> = {
    [BUILTIN.rateInterval]: vars.rateInterval ?? '1m',
    [BUILTIN.interval]: vars.interval ?? '30s',
    [BUILTIN.range]: vars.range ?? '6h',
  };
  const problems: string[] = [];
  for (const [name, value] of Object.entries({ rateInterval: builtins[BUILTIN.rateInterval], interval: builtins[BUILTIN.interval], range: builtins[BUILTIN.range] })) {
    if (!DURATION.test(value)) problems.push(`'${name}' (${JSON.stringify(value)}) must be a single-unit Prometheus duration such as "1m"`);
  }
  for (const name of ['namespace', 'app', 'pod'] as const) {
    if (typeof vars[name] !== 'string' || vars[name] === '') problems.push(`'${name}' (${JSON.stringify(vars[name])}) must be a non-empty label value or regex`);
  }
  if (problems.length > 0) throw new Error(`panelQueries: ${problems.join('; ')}`);

  const templateVars: Record<string, string> = { [VAR.namespace]: vars.namespace, [VAR.app]: vars.app, [VAR.pod]: vars.pod };
  const substitute = (expr: string, where: string) => {
    let out = expr;
    // Built-ins first: "$__range" must not be read as a template variable.
    for (const [token, value] of Object.entries(builtins)) out = out.split(token).join(value);
    out = out.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced: string | undefined, bare: string | undefined) => {
      const value = templateVars[braced ?? bare ?? ''];
      if (value === undefined) throw new Error(`${where}: unknown variable ${match} in ${JSON.stringify(expr)}; known: ${Object.keys(templateVars).join(', ')}`);
      return value;
    });
    return out;
  };

  const out: PanelQuery[] = [];
  for (const panel of allPanels(model)) {
    for (const target of (panel.targets ?? []) as { refId?: string; expr?: string }[]) {
      if (target.expr === undefined) continue;
      const title = panel.title ?? `panel ${panel.id}`;
      out.push({ panelTitle: title, refId: target.refId ?? '', expr: substitute(target.expr, `panel '${title}' query ${target.refId}`) });
    }
  }
  for (const a of model.annotations.list ?? []) {
    if (a.expr === undefined) continue;
    out.push({ panelTitle: `annotation: ${a.name}`, refId: 'Anno', expr: substitute(a.expr, `annotation '${a.name}'`) });
  }
  return out;
}

/** Every non-row panel, including those inside collapsed rows. */
export function allPanels(model: dashboard.Dashboard): dashboard.Panel[] {
  const out: dashboard.Panel[] = [];
  for (const p of model.panels ?? []) {
    if (p.type === 'row') out.push(...(p as dashboard.RowPanel).panels);
    else out.push(p as dashboard.Panel);
  }
  return out;
}
