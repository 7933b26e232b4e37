/**
 * The few pieces of Prometheus' alert templating that heapwatch's annotations use, re-implemented
 * so the generated promtool tests can state the exact text Prometheus must render. promtool then
 * checks this re-implementation against the real one on every run.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/template_reference/
 */

/**
 * Go's fmt "%.4g" (4 significant digits, trailing zeros trimmed, e-notation outside 1e-4 .. 1e4).
 * One known difference: a value exactly halfway at the 5th digit (1234.5) rounds up here and to
 * even in Go; the generated tests' values have at most 4 significant digits where it matters.
 */
export function goG4(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`goG4: ${v} is not a finite number`);
  if (v === 0) return '0';
  const [mantissa, expText] = v.toExponential(3).split('e');
  const exp = Number(expText);
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 4) {
    return `${trim(mantissa)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return trim(v.toFixed(3 - exp));
}

/** Go's "%v" of a float64, for the values heapwatch prints raw (counts). */
export function goValue(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  if (Math.abs(v) >= 1e-4 && Math.abs(v) < 1e21) return String(v);
  throw new Error(`goValue: ${v} would print in e-notation; use a formatting function in the template`);
}

const FUNCTIONS: Record<string, (v: number) => string> = {
  humanizePercentage: (v) => `${goG4(v * 100)}%`,
  humanize1024: (v) => {
    if (Math.abs(v) <= 1) return goG4(v);
    let prefix = '';
    for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
      if (Math.abs(v) < 1024) break;
      prefix = p;
      v /= 1024;
    }
    return `${goG4(v)}${prefix}`;
  },
};

/**
 * Expands `{{ $labels.name }}`, `{{ $value }}` and `{{ $value | fn }}`; anything else is refused,
 * so a template this cannot render is caught when the tests are generated.
 */
export function expandTemplate(template: string, labels: Readonly<Record<string, string>>, value: number): string {
  return template.replace(/\{\{(.*?)\}\}/g, (whole, inner: string) => {
    const label = /^\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*$/.exec(inner);
    if (label) return labels[label[1]] ?? '';
    const val = /^\s*\$value\s*(?:\|\s*([a-zA-Z0-9]+)\s*)?$/.exec(inner);
    if (val) {
      if (val[1] === undefined) return goValue(value);
      const fn = FUNCTIONS[val[1]];
      if (!fn) throw new Error(`template function '${val[1]}' in ${JSON.stringify(whole)} is not supported here; allowed: ${Object.keys(FUNCTIONS).join(', ')}`);
      return fn(value);
    }
    throw new Error(`template action ${JSON.stringify(whole)} is not supported; allowed: {{ $labels.<name> }}, {{ $value }}, {{ $value | <fn> }}`);
  });
}

/**
 * The allocation-site block of src/rules/allocation-site.ts (a `range` over a `query`), rendered
 * as Prometheus renders it for the top site the case's series hold, or its `else` text.
 */
const SITE_BLOCK = new RegExp(
  '\\{\\{ range printf `[^`]*` \\$labels\\.namespace \\$labels\\.pod \\| query \\}\\}(.*?)' +
  '\\{\\{ \\.Value \\| humanizePercentage \\}\\}( of the sampled live heap was allocated at )\\{\\{ \\.Labels\\.function \\}\\} \\(\\{\\{ \\.Labels\\.location \\}\\}\\)\\.' +
  '\\{\\{ else \\}\\}(.*?)\\{\\{ end \\}\\}', 'g');

export function expandSiteBlocks(template: string, site: { readonly function: string; readonly location: string; readonly share: number } | undefined): string {
  return template.replace(SITE_BLOCK, (_whole, lead: string, middle: string, otherwise: string) =>
    (site === undefined ? otherwise : `${lead}${FUNCTIONS.humanizePercentage(site.share)}${middle}${site.function} (${site.location}).`));
}
