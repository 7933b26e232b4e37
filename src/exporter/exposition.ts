/**
 * Concatenates Prometheus text expositions into one /metrics body with no family written
 * twice: Prometheus rejects a scrape that repeats a family. The first source wins.
 */

/** Splits an exposition into families, keyed by name, keeping HELP/TYPE/sample lines together. */
export function splitFamilies(text: string): Map<string, string[]> {
  const families = new Map<string, string[]>();
  let current: string[] | undefined;
  let currentName = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let name: string;
    const meta = /^# (?:HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (meta) name = meta[1];
    else if (line.startsWith('#')) continue;
    else name = familyOfSample(line, currentName);
    if (name !== currentName || current === undefined) {
      currentName = name;
      current = families.get(name);
      if (!current) families.set(name, (current = []));
    }
    current.push(line);
  }
  return families;
}

/** A histogram's _bucket/_sum/_count samples belong to the family announced just before them. */
function familyOfSample(line: string, currentName: string): string {
  const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  const series = m ? m[0] : line;
  if (currentName && (series === currentName || series.startsWith(`${currentName}_`))) {
    const suffix = series.slice(currentName.length);
    if (suffix === '' || ['_bucket', '_sum', '_count', '_total', '_created'].includes(suffix)) return currentName;
  }
  return series;
}

export function mergeExpositions(texts: readonly string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const text of texts) {
    for (const [name, lines] of splitFamilies(text)) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push(...lines);
    }
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
