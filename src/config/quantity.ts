/**
 * Kubernetes resource quantities ("512Mi", "1Gi", "250m") parsed to numbers.
 *
 * Only the forms Kubernetes itself accepts are allowed. "512MB" is the usual
 * mistake: Kubernetes reads "M" as 10^6 but rejects "MB" outright, so we reject
 * it here at synth time instead of at `kubectl apply` time.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

/** The allowed forms, for error messages. */
export const QUANTITY_FORMS = 'a Kubernetes quantity such as "512Mi", "1Gi" or "1500M" (binary suffixes Ki Mi Gi Ti, decimal k M G T)';

/** Returns the quantity's value (bytes for memory, cores for CPU), or undefined when it is not a valid quantity. */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, digits, suffix = ''] = match;
  const base = Number(digits);
  if (suffix in BINARY) return base * BINARY[suffix];
  if (suffix in DECIMAL) return base * DECIMAL[suffix];
  return base * Math.pow(10, Number(suffix.slice(1))); // exponent form, e.g. 1e9
}

/** Whole mebibytes in a byte count, rounded down. */
export function toMiB(bytes: number): number {
  return Math.floor(bytes / 2 ** 20);
}
