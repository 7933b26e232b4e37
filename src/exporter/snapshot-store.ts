/**
 * The files the agent writes on request into one folder of the shared volume: heap snapshots
 * (SHARED_DIR/SNAPSHOT_SUBDIR) or allocation profiles (SHARED_DIR/PROFILE_SUBDIR). Strict
 * names, listing, the cap on kept files (oldest first; the agent's pre-restart file counts
 * too) and the room left in the shared volume.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file name ending of each kind of file. */
export const EXTENSIONS = { snapshot: '.heapsnapshot', profile: '.heapprofile' } as const;
export type FileExtension = (typeof EXTENSIONS)[keyof typeof EXTENSIONS];

const STEM_MAX = 121;

/** Allowed file names: no separators, no leading dot, nothing but [A-Za-z0-9._-], the kind's suffix. */
export function nameRule(ext: FileExtension): string {
  return `letters, digits, ".", "_" and "-" only, not starting with "." or "-", ending in "${ext}", at most ${STEM_MAX + ext.length} characters`;
}

export function isValidName(name: string, ext: FileExtension): boolean {
  return name.length <= STEM_MAX + ext.length && name.endsWith(ext) && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name.slice(0, -ext.length)) && !name.includes('..');
}

export function isValidSnapshotName(name: string): boolean {
  return isValidName(name, EXTENSIONS.snapshot);
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
   * @param subdir the folder inside it (SNAPSHOT_SUBDIR or PROFILE_SUBDIR)
   * @param volumeLimitBytes the volume's size limit (emptyDir sizeLimit)
   * @param extension the files' suffix
   */
  constructor(private readonly sharedDir: string, subdir: string, private readonly volumeLimitBytes: number, readonly extension: FileExtension = EXTENSIONS.snapshot) {
    this.dir = path.join(sharedDir, subdir);
  }

  isValidName(name: string): boolean {
    return isValidName(name, this.extension);
  }

  ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o750 });
  }

  /** A fresh, valid file name, e.g. heap-2026-11-26T18-30-00-123Z-1a2b3c.heapsnapshot. */
  newName(now = new Date()): string {
    return `heap-${now.toISOString().replace(/:/g, '-').replace('.', '-')}-${randomBytes(3).toString('hex')}${this.extension}`;
  }

  /** Regular files of this kind, oldest first. Anything else in the folder is ignored. */
  list(): SnapshotInfo[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: { info: SnapshotInfo; mtimeMs: number }[] = [];
    for (const name of names) {
      if (!this.isValidName(name)) continue;
      const st = this.lstat(name);
      if (!st?.isFile()) continue;
      out.push({ info: { name, bytes: st.size, createdAt: st.mtime.toISOString() }, mtimeMs: st.mtimeMs });
    }
    out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.info.name.localeCompare(b.info.name));
    return out.map((o) => o.info);
  }

  /** The file's path and stats when it is a regular file of this kind (never a symlink), else undefined. */
  find(name: string): { path: string; bytes: number } | undefined {
    if (!this.isValidName(name)) return undefined;
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

  /** Bytes used in the shared volume (its top level and its folders, snapshots and profiles; nothing nests deeper). */
  usedBytes(): number {
    let total = 0;
    const dirs = [this.sharedDir];
    for (let i = 0; i < dirs.length; i++) {
      let names: string[] = [];
      try {
        names = fs.readdirSync(dirs[i]);
      } catch {
        continue;
      }
      for (const n of names) {
        try {
          const st = fs.lstatSync(path.join(dirs[i], n));
          if (st.isFile()) total += st.size;
          else if (st.isDirectory() && i === 0) dirs.push(path.join(dirs[i], n));
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
