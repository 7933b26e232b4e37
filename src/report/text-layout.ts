/**
 * Plain-text layout for `heapwatch report`: byte and count formats, right-aligned columns, and
 * names cut to fit one screen (80 columns).
 */

/** Bytes as B, KiB, MiB or GiB, one decimal above bytes. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  if (value < 1024) return `${sign}${value} B`;
  for (const unit of ['KiB', 'MiB', 'GiB']) {
    value /= 1024;
    if (value < 1024 || unit === 'GiB') return `${sign}${value.toFixed(1)} ${unit}`;
  }
  return `${sign}${value} B`;
}

/** A signed byte delta: "+1.2 MiB", "-3 B", "0 B". */
export function formatDelta(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

/** A signed count delta with thousands separators. */
export function formatCountDelta(count: number): string {
  return count > 0 ? `+${formatCount(count)}` : formatCount(count);
}

/** An integer with thousands separators (1,234,567), locale-independent. */
export function formatCount(count: number): string {
  return Math.round(count).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A share as a percentage with one decimal. */
export function formatShare(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '-';
}

/** `text`, cut to `width` characters with an ellipsis in the middle (keeps a file's tail). */
export function fit(text: string, width: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  if (oneLine.length <= width) return oneLine;
  const head = Math.ceil((width - 1) / 2);
  return `${oneLine.slice(0, head)}…${oneLine.slice(oneLine.length - (width - 1 - head))}`;
}

/**
 * Rows laid out in columns: every column but the last right-aligned (numbers), the last
 * left-aligned (the name), two spaces apart, each line indented by two.
 */
export function columns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const last = header.length - 1;
  return all.map((r) => `  ${r.map((cell, i) => (i === last ? cell : cell.padStart(widths[i]))).join('  ')}`.trimEnd());
}
