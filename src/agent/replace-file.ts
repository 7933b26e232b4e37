import * as fs from 'node:fs';

/**
 * Replaces a small file in the shared volume whole: written under a temporary name and renamed,
 * so the sidecar never reads half of it. Group-readable: the sidecar may run as another user
 * sharing the volume's fsGroup.
 */
export function replaceFile(target: string, text: string): void {
  const partial = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(partial, text, { mode: 0o640 });
  fs.renameSync(partial, target);
}
