/**
 * The admin API's bearer token, read from the mounted Secret file. Re-read when the file
 * changes (Kubernetes rotates a Secret by swapping a symlink, so stat follows it), and
 * compared in constant time: both sides are hashed to 32 bytes first, so timingSafeEqual
 * gets equal-length buffers and the compare reveals neither content nor length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class TokenFile {
  private cached?: { key: string; hash: Buffer };

  constructor(private readonly file: string) {}

  /** True when the Authorization header carries the current token. False without a usable token file. */
  check(authorization: string | undefined): boolean {
    const expected = this.current();
    const m = /^Bearer ([!-~]{1,4096})$/.exec(authorization ?? '');
    const given = sha256(m ? m[1] : '');
    // Compare even when there is nothing to compare with, so the timing is the same.
    const ok = timingSafeEqual(given, expected ?? sha256('\u0000no-token'));
    return ok && expected !== undefined && m !== null;
  }

  /** The token's hash, or undefined when the file is missing, unreadable or empty. */
  private current(): Buffer | undefined {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      this.cached = undefined;
      return undefined;
    }
    const key = `${st.ino}:${st.mtimeMs}:${st.size}`;
    if (this.cached?.key !== key) {
      let token: string;
      try {
        token = fs.readFileSync(this.file, 'utf8').trim();
      } catch {
        return undefined;
      }
      if (token === '') return undefined;
      this.cached = { key, hash: sha256(token) };
    }
    return this.cached.hash;
  }
}
