import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU seconds used by the DynamoDB Local JVM listening on `port` since this call (found by its command
 * line, read from /proc: Linux only; undefined elsewhere). Wall-clock on a shared machine says little;
 * CPU time (with the benchmark's own) tells what a run would take on two idle cores: at best half the sum.
 */
export function dynamoLocalCpu(port: number): () => number | undefined {
  const exact = dynamoLocalCpuExact(port);
  return () => {
    const seconds = exact();
    return seconds === undefined ? undefined : Math.round(seconds);
  };
}

/** {@link dynamoLocalCpu} to the kernel's resolution (10 ms), for shares of one figure. */
export function dynamoLocalCpuExact(port: number): () => number | undefined {
  let jvm: number | undefined;
  try {
    const pids = execFileSync('pgrep', ['-f', `DynamoDBLocal.jar.* -port ${port}( |$)`], { encoding: 'utf8' });
    jvm = Number(pids.trim().split('\n')[0]) || undefined;
  } catch {
    jvm = undefined;
  }
  const ticks = 100; // USER_HZ on Linux
  const seconds = (): number | undefined => {
    if (!jvm) return undefined;
    try {
      const fields = (readFileSync(`/proc/${jvm}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      return undefined;
    }
  };
  const start = seconds();
  return () => {
    const now = seconds();
    return now === undefined || start === undefined ? undefined : now - start;
  };
}
