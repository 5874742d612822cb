import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A helper script of this folder run as a real child process (through tsx), whose JSON stdout lines are observable. */
export class Child {
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly proc: ChildProcess;
  private stderr = '';
  private waiters: (() => void)[] = [];

  constructor(script: string, env: Record<string, string>) {
    const path = fileURLToPath(new URL(script, import.meta.url));
    this.proc = spawn(process.execPath, ['--import', 'tsx', path], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.proc.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) if (line.startsWith('{')) this.lines.push(JSON.parse(line));
      this.notify();
    });
    this.proc.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code, signal) => {
        this.notify();
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  get errorOutput(): string {
    return this.stderr;
  }

  /** Resolves once the child's output satisfies `ready` (checked on every line, never on a timer); rejects on exit or timeout. */
  waitFor(ready: (lines: readonly Record<string, unknown>[]) => boolean, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`child output not ready in ${timeoutMs} ms:\n${this.stderr}`)),
        timeoutMs,
      );
      const check = () => {
        if (ready(this.lines)) done();
        else if (this.proc.exitCode !== null || this.proc.signalCode !== null)
          done(new Error(`child exited before it was ready:\n${this.stderr}`));
        else this.waiters.push(check);
      };
      const done = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      check();
    });
  }

  /** kill -9: no handler runs, nothing is flushed; resolves with how it ended. */
  async kill9() {
    process.kill(this.pid, 'SIGKILL');
    return this.exited;
  }

  private notify() {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }
}
