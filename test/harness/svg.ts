/**
 * A small SVG chart of the heap ratio over a run: the ratio line (broken while the app was
 * down), the high and target thresholds, alert firing windows as bands in lanes above the
 * plot, and markers (leak start, restart). Plain string building, no dependencies.
 */

export interface HeapChart {
  readonly title: string;
  /** Seconds since the start of the run and the ratio, or null when nothing answered. */
  readonly samples: readonly { readonly t: number; readonly ratio: number | null }[];
  readonly durationSeconds: number;
  readonly highRatio: number;
  readonly targetRatio: number;
  /** Alert firing windows, seconds since the start. */
  readonly windows: readonly { readonly label: string; readonly from: number; readonly to: number; readonly color: string }[];
  /** Vertical markers, seconds since the start. */
  readonly markers: readonly { readonly t: number; readonly label: string }[];
}

const W = 960;
// The left margin holds the alert lanes' names.
const PLOT = { left: 150, right: 24, top: 0, height: 260 };
const LANE = 18;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (n: number) => (Math.round(n * 10) / 10).toString();

export function renderHeapChart(c: HeapChart): string {
  const lanes = [...new Set(c.windows.map((w) => w.label))];
  const top = 40 + lanes.length * (LANE + 4) + 8;
  const plotW = W - PLOT.left - PLOT.right;
  const H = top + PLOT.height + 48;
  const x = (t: number) => PLOT.left + (Math.min(Math.max(t, 0), c.durationSeconds) / c.durationSeconds) * plotW;
  const y = (r: number) => top + (1 - Math.min(Math.max(r, 0), 1)) * PLOT.height;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${PLOT.left}" y="22" font-size="15" font-weight="bold">${esc(c.title)}</text>`);

  // Alert lanes.
  lanes.forEach((label, i) => {
    const ly = 36 + i * (LANE + 4);
    out.push(`<text x="${PLOT.left - 6}" y="${ly + 13}" text-anchor="end" font-size="10" fill="#444">${esc(label)}</text>`);
    out.push(`<rect x="${PLOT.left}" y="${ly}" width="${plotW}" height="${LANE}" fill="#f4f4f4"/>`);
    for (const w of c.windows.filter((x0) => x0.label === label)) {
      out.push(`<rect x="${f(x(w.from))}" y="${ly}" width="${f(Math.max(2, x(w.to) - x(w.from)))}" height="${LANE}" fill="${w.color}" opacity="0.85"><title>${esc(label)}: ${f(w.from)}-${f(w.to)} s</title></rect>`);
    }
  });

  // Axes and grid.
  for (let r = 0; r <= 1.0001; r += 0.25) {
    out.push(`<line x1="${PLOT.left}" x2="${W - PLOT.right}" y1="${f(y(r))}" y2="${f(y(r))}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${PLOT.left - 6}" y="${f(y(r) + 4)}" text-anchor="end" fill="#444">${Math.round(r * 100)} %</text>`);
  }
  const step = niceStep(c.durationSeconds);
  for (let t = 0; t <= c.durationSeconds; t += step) {
    out.push(`<line x1="${f(x(t))}" x2="${f(x(t))}" y1="${top}" y2="${top + PLOT.height}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${f(x(t))}" y="${top + PLOT.height + 16}" text-anchor="middle" fill="#444">${t} s</text>`);
  }
  out.push(`<text x="${PLOT.left + plotW / 2}" y="${top + PLOT.height + 34}" text-anchor="middle" fill="#444">seconds since start</text>`);
  out.push(`<text transform="translate(16 ${top + PLOT.height / 2}) rotate(-90)" text-anchor="middle" fill="#444">heap used / V8 heap limit</text>`);

  // Thresholds.
  const threshold = (r: number, color: string, label: string) => {
    out.push(`<line x1="${PLOT.left}" x2="${W - PLOT.right}" y1="${f(y(r))}" y2="${f(y(r))}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${W - PLOT.right - 4}" y="${f(y(r) - 5)}" text-anchor="end" fill="${color}">${esc(label)}</text>`);
  };
  threshold(c.highRatio, '#c62828', `high ${Math.round(c.highRatio * 100)} %`);
  threshold(c.targetRatio, '#2e7d32', `target ${Math.round(c.targetRatio * 100)} %`);

  // The ratio, one polyline per stretch the app answered.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1) out.push(`<polyline fill="none" stroke="#1565c0" stroke-width="2" points="${run.join(' ')}"/>`);
    run = [];
  };
  for (const s of c.samples) {
    if (s.ratio === null) flush();
    else run.push(`${f(x(s.t))},${f(y(s.ratio))}`);
  }
  flush();

  // Markers.
  for (const m of c.markers) {
    out.push(`<line x1="${f(x(m.t))}" x2="${f(x(m.t))}" y1="${top}" y2="${top + PLOT.height}" stroke="#6a1b9a" stroke-width="1.5"/>`);
    out.push(`<text x="${f(x(m.t) + 4)}" y="${top + 14}" fill="#6a1b9a">${esc(m.label)}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function niceStep(duration: number): number {
  for (const s of [5, 10, 15, 20, 30, 60, 120, 300]) if (duration / s <= 12) return s;
  return 600;
}
