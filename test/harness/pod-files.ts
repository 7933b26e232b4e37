/**
 * A container's in-pod paths on this machine: every volume mount becomes a directory under
 * one local root, ConfigMap files (text and binary) are written there as Kubernetes would project them, and
 * any in-pod path (in args, env or a config file) can be rewritten to its local twin.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Mount } from './manifests';

export class PodFiles {
  private readonly mounts: Mount[];

  /**
   * @param root local directory standing in for the container's filesystem
   * @param mounts the container's mounts (mountsOf); ConfigMap files are written at once
   * @param shared mount path -> an existing local directory, for volumes two containers share
   */
  constructor(readonly root: string, mounts: readonly Mount[], private readonly shared: Record<string, string> = {}) {
    // Longest first, so a nested mount wins over its parent.
    this.mounts = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
    for (const m of this.mounts) {
      const dir = this.localDir(m.mountPath);
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, content] of [...Object.entries(m.files ?? {}), ...Object.entries(m.binaryFiles ?? {})]) fs.writeFileSync(path.join(dir, file), content);
    }
  }

  /** The mount that holds `podPath`, if any. */
  mountOf(podPath: string): Mount | undefined {
    return this.mounts.find((m) => podPath === m.mountPath || podPath.startsWith(`${m.mountPath}/`));
  }

  private localDir(mountPath: string): string {
    return this.shared[mountPath] ?? path.join(this.root, mountPath);
  }

  /** The local twin of an in-pod path; throws when no volume is mounted there (it would not exist in the pod either). */
  local(podPath: string): string {
    const m = this.mountOf(podPath);
    if (!m) throw new Error(`'${podPath}' is on no volume mount of this container (mounts: ${this.mounts.map((x) => x.mountPath).join(', ')})`);
    return path.join(this.localDir(m.mountPath), podPath.slice(m.mountPath.length));
  }

  /** `podPath` rewritten when it is on a mount, else unchanged. */
  rewrite(podPath: string): string {
    return this.mountOf(podPath) ? this.local(podPath) : podPath;
  }

  /**
   * A copy of a parsed config with every string that is an in-pod path on a mount rewritten
   * (globs included); `visit` sees each (key, in-pod path) first, e.g. to provide a Secret file.
   */
  rewriteDeep<T>(value: T, visit: (key: string, podPath: string) => void = () => undefined, key = ''): T {
    if (typeof value === 'string') {
      if (!value.startsWith('/') || !this.mountOf(value)) return value;
      visit(key, value);
      return this.local(value) as T;
    }
    if (Array.isArray(value)) return value.map((v) => this.rewriteDeep(v, visit, key)) as T;
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.rewriteDeep(v, visit, k)])) as T;
    }
    return value;
  }

  /** Writes a file a user-created Secret would provide (e.g. the Slack webhook URL) at its in-pod path. */
  provideSecretFile(podPath: string, content: string): string {
    const m = this.mountOf(podPath);
    if (!m || m.kind !== 'secret') throw new Error(`'${podPath}' is not on a Secret volume of this container`);
    const file = this.local(podPath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode: 0o600 });
    return file;
  }
}
