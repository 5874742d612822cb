import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * moto_server (Python moto: an implementation of AWS APIs), started on a free loopback port for the
 * tests that need a real API implementation (ECS, ...), the way the global setup starts DynamoDB
 * Local, and stopped after. Point a client at `endpoint` (or set AWS_ENDPOINT_URL_<SERVICE> to it).
 */
export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Whether `moto_server` is on the PATH (moto 5.2.1 is on this project's machines). */
function hasMotoServer(): boolean {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * For suites that need moto_server: `skip` when it is absent, after saying so; under CI=true an
 * absent moto_server is an error naming it, never a silent skip.
 */
export function motoServerOrSkip(suite: string): { readonly skip: boolean } {
  if (hasMotoServer()) return { skip: false };
  const message = `${suite}: moto_server (Python moto) is not on the PATH; install moto[server] to run these tests`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`SKIPPED ${message}`);
  return { skip: true };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `moto_server -H 127.0.0.1 -p <free port>` and waits until it answers (at most `timeoutMs`). */
export async function startMotoServer(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = `${stderr}${chunk}`.slice(-4000);
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([gone, sleep(5000)]);
    if (!exited) child.kill('SIGKILL');
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`moto_server exited before answering on ${endpoint}:\n${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok || res.status < 500) return { endpoint, port, stop };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await stop();
  throw new Error(`moto_server did not answer on ${endpoint} within ${options.timeoutMs ?? 30_000} ms:\n${stderr}`);
}

/** Empties every moto backend (between tests of one file). */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
}
