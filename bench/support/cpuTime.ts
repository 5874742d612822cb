import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU seconds used by this process and by the DynamoDB Local JVM (found by its port, read from /proc on
 * Linux; undefined elsewhere). Wall-clock on a shared machine says little; CPU time tells what a run
 * would take on two idle cores (at best their sum / 2).
 */
export function cpuMeter(port: number): () => { node: number; dynamoDbLocal: number | undefined } {
  let jvm: number | undefined;
  try {
    const pids = execFileSync('pgrep', ['-f', `DynamoDBLocal.jar.* -port ${port}( |$)`], { encoding: 'utf8' });
    jvm = Number(pids.trim().split('\n')[0]) || undefined;
  } catch {
    jvm = undefined;
  }
  const ticks = 100; // USER_HZ on Linux
  const jvmSeconds = (): number | undefined => {
    if (!jvm) return undefined;
    try {
      const fields = (readFileSync(`/proc/${jvm}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      return undefined;
    }
  };
  const node0 = process.cpuUsage();
  const jvm0 = jvmSeconds();
  return () => {
    const n = process.cpuUsage(node0);
    const j = jvmSeconds();
    return {
      node: Math.round((n.user + n.system) / 1e6),
      dynamoDbLocal: j === undefined || jvm0 === undefined ? undefined : Math.round(j - jvm0),
    };
  };
}
