/**
 * The heap snapshot files in SHARED_DIR/SNAPSHOT_SUBDIR: strict names, listing, the cap on
 * kept files (oldest first; the agent's pre-restart snapshot counts too) and the room left
 * in the shared volume.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Allowed file names: no separators, no leading dot, nothing but [A-Za-z0-9._-], the .heapsnapshot suffix. */
export const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}\.heapsnapshot$/;
export const SNAPSHOT_NAME_RULE = 'letters, digits, ".", "_" and "-" only, not starting with "." or "-", ending in ".heapsnapshot", at most 134 characters';

export function isValidSnapshotName(name: string): boolean {
  return SNAPSHOT_NAME.test(name) && !name.includes('..');
}

export interface SnapshotInfo {
  readonly name: string;
  readonly bytes: number;
  readonly createdAt: string;
}

export class SnapshotStore {
  readonly dir: string;

  /**
   * @param sharedDir the shared volume (SHARED_DIR)
   * @param subdir the snapshot folder inside it (SNAPSHOT_SUBDIR)
   * @param volumeLimitBytes the volume's size limit (emptyDir sizeLimit)
   */
  constructor(private readonly sharedDir: string, subdir: string, private readonly volumeLimitBytes: number) {
    this.dir = path.join(sharedDir, subdir);
  }

  ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o750 });
  }

  /** A fresh, valid file name, e.g. heap-2026-11-26T18-30-00-123Z-1a2b3c.heapsnapshot. */
  newName(now = new Date()): string {
    return `heap-${now.toISOString().replace(/:/g, '-').replace('.', '-')}-${randomBytes(3).toString('hex')}.heapsnapshot`;
  }

  /** Regular snapshot files, oldest first. Anything else in the folder is ignored. */
  list(): SnapshotInfo[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: { info: SnapshotInfo; mtimeMs: number }[] = [];
    for (const name of names) {
      if (!isValidSnapshotName(name)) continue;
      const st = this.lstat(name);
      if (!st?.isFile()) continue;
      out.push({ info: { name, bytes: st.size, createdAt: st.mtime.toISOString() }, mtimeMs: st.mtimeMs });
    }
    out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.info.name.localeCompare(b.info.name));
    return out.map((o) => o.info);
  }

  /** The file's path and stats when it is a regular snapshot file (never a symlink), else undefined. */
  find(name: string): { path: string; bytes: number } | undefined {
    if (!isValidSnapshotName(name)) return undefined;
    const st = this.lstat(name);
    return st?.isFile() ? { path: path.join(this.dir, name), bytes: st.size } : undefined;
  }

  /** Deletes the oldest files until at most `keep` remain; returns the names deleted. */
  prune(keep: number): string[] {
    const all = this.list();
    const doomed = all.slice(0, Math.max(0, all.length - keep));
    for (const s of doomed) fs.rmSync(path.join(this.dir, s.name), { force: true });
    return doomed.map((s) => s.name);
  }

  /** Bytes still free for a new snapshot: the smaller of the filesystem's and the volume limit's. */
  freeBytes(): number {
    const fsFree = (() => {
      try {
        const s = fs.statfsSync(this.sharedDir);
        return s.bavail * s.bsize;
      } catch {
        return 0;
      }
    })();
    return Math.max(0, Math.min(fsFree, this.volumeLimitBytes - this.usedBytes()));
  }

  /** Bytes used in the shared volume (its top level and the snapshot folder; nothing else nests there). */
  usedBytes(): number {
    let total = 0;
    for (const dir of [this.sharedDir, this.dir]) {
      let names: string[] = [];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names) {
        try {
          const st = fs.lstatSync(path.join(dir, n));
          if (st.isFile()) total += st.size;
        } catch {
          // gone meanwhile
        }
      }
    }
    return total;
  }

  private lstat(name: string): fs.Stats | undefined {
    try {
      return fs.lstatSync(path.join(this.dir, name));
    } catch {
      return undefined;
    }
  }
}
