/**
 * Child processes for the local pipeline: spawn with output captured to a log file, wait
 * for a port or an HTTP answer, stop gracefully then forcefully, and stop everything on
 * exit, SIGINT, SIGTERM or a crash, so no process outlives the demo or the test.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { done, notYet, PollAbort, pollUntil } from './poll';

export interface SpawnOptions {
  /** Full environment of the child. @default - the parent's environment */
  readonly env?: NodeJS.ProcessEnv;
  /** @default - the parent's working directory */
  readonly cwd?: string;
  /** stdout and stderr are appended here. @default - discarded */
  readonly logFile?: string;
  /** Called with every complete stdout line (e.g. to print a sink's messages). @default - none */
  readonly onLine?: (line: string) => void;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5000); resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL; resolves when it has exited. */
  kill(): Promise<void>;
}

/** A set of processes stopped together; `stopAll` is also wired to exit and signals by `stopOnExit`. */
export class ProcessGroup {
  private readonly running = new Set<ManagedProcess>();

  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ManagedProcess {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) {
      // spawn reports ENOENT asynchronously; a missing pid means it did not start at all.
      throw new Error(`could not start ${name} (${command}): is it installed and on PATH?`);
    }
    const log = options.logFile ? fs.createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      log?.write(chunk);
      if (!options.onLine) return;
      partial += chunk.toString('utf8');
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        options.onLine(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => log?.write(chunk));
    let exitedFlag = false;
    const exited = new Promise<number | string>((resolve) => {
      child.on('exit', (code, signal) => {
        exitedFlag = true;
        this.running.delete(proc);
        resolve(code ?? signal ?? 'unknown');
      });
      child.on('error', () => {
        exitedFlag = true;
        this.running.delete(proc);
        resolve('spawn-error');
      });
    });
    void exited.then(() => log?.end());
    const proc: ManagedProcess = {
      name,
      pid: child.pid,
      child,
      exited,
      hasExited: () => exitedFlag,
      stop: async (graceMs = 5000) => {
        if (exitedFlag) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      },
      kill: async () => {
        if (exitedFlag) return;
        child.kill('SIGKILL');
        await exited;
      },
    };
    this.running.add(proc);
    return proc;
  }

  /** Processes still running. */
  list(): ManagedProcess[] {
    return [...this.running];
  }

  /** Stops every running process (SIGTERM, then SIGKILL after graceMs), newest first. */
  async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all([...this.running].reverse().map((p) => p.stop(graceMs)));
  }

  /** Synchronous last resort for process 'exit': SIGKILL whatever still runs. */
  killAllNow(): void {
    for (const p of this.running) {
      try {
        p.child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /**
   * Stops every child when this process exits, is interrupted (SIGINT, SIGTERM) or crashes.
   * Returns a function that removes the handlers (for tests that stop the group themselves).
   */
  stopOnExit(): () => void {
    const onExit = () => this.killAllNow();
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\n${signal}: stopping ${this.running.size} child process(es)\n`);
      void this.stopAll(2000).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.on('exit', onExit);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return () => {
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }
}

/**
 * Waits until `url` answers with a 2xx status, failing early (with the log's tail) if the
 * process exits first.
 */
export async function waitForHttp(proc: ManagedProcess, url: string, timeoutMs = 30_000, logFile?: string): Promise<void> {
  await pollUntil(`${proc.name} to answer ${url}`, async () => {
    if (proc.hasExited()) {
      const tail = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new PollAbort(`${proc.name} exited before answering ${url}${tail ? `; its log ends:\n${tail}` : ''}`);
    }
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok ? done(undefined) : notYet(`HTTP ${res.status}`);
  }, { timeoutMs, intervalMs: 100 });
}
