/**
 * The admin API's bearer token, read from the mounted Secret file on every admin request
 * (admin requests are rare and the file is tiny, so a rotated Secret takes effect at once,
 * with no cache to go stale). Compared in constant time: both sides are hashed to 32 bytes
 * first, so timingSafeEqual gets equal-length buffers and reveals neither content nor length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class TokenFile {
  constructor(private readonly file: string) {}

  /** True when the Authorization header carries the current token. False without a usable token file. */
  check(authorization: string | undefined): boolean {
    const expected = this.current();
    const m = /^Bearer ([!-~]{1,4096})$/.exec(authorization ?? '');
    const given = sha256(m ? m[1] : '');
    // Compare even when there is nothing to compare with, so the timing is the same.
    const same = timingSafeEqual(given, expected ?? sha256('\u0000no-token'));
    return same && expected !== undefined && m !== null;
  }

  /** The token's hash, or undefined when the file is missing, unreadable or empty. */
  private current(): Buffer | undefined {
    let token: string;
    try {
      token = fs.readFileSync(this.file, 'utf8').trim();
    } catch {
      return undefined;
    }
    return token === '' ? undefined : sha256(token);
  }
}
