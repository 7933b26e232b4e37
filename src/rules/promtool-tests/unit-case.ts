/** One promtool test group, before it becomes YAML: input series plus what must (not) fire when. */
import { AlertName } from '../../contract';
import { InputSeries } from './series';

export interface ExpectedAlert {
  /** The alert's labels from its expression (severity is added from the rule). */
  readonly labels: Readonly<Record<string, string>>;
  /** The expression's value, which the description renders. */
  readonly value: number;
  /** The top allocation site the description's query finds; absent: the case has no site series. */
  readonly site?: ExpectedSite;
}

export interface ExpectedSite {
  readonly function: string;
  readonly location: string;
  /** Its bytes over the pod's sampled total, as the query divides them. */
  readonly share: number;
}

export interface AlertCheck {
  /** Seconds from the start of the series. */
  readonly at: number;
  readonly alert: AlertName;
  /** Every alert that must be firing then; empty means none. */
  readonly firing: readonly ExpectedAlert[];
}

export interface ExprCheck {
  readonly at: number;
  readonly expr: string;
  readonly samples: readonly { readonly labels: string; readonly value: number }[];
}

export interface UnitCase {
  readonly name: string;
  /** Seconds between input samples. @default - the check interval */
  readonly interval?: number;
  readonly series: readonly InputSeries[];
  readonly alerts: readonly AlertCheck[];
  readonly exprs?: readonly ExprCheck[];
}
