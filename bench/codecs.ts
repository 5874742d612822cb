// `npx tsx bench/codecs.ts`: the candidate encodings of the log's raw event, measured on the corpus the
// dictionary was not built from: every AWS sample (samples/aws-docs) and the distinct events of the
// benchmark's simulated estate (same seed and size as `npm run bench`). Bytes of the stored body and CPU
// per encode; the codec the log uses is domain/eventCodec.ts (deflate-ecs-1).
import { brotliCompressSync, constants, deflateRawSync } from 'node:zlib';
import { ECS_EVENT_DICTIONARY_V1 } from '../domain/eventCodecDictionary.js';
import { parseEvent } from '../domain/parseEvent.js';
import { loadSamples } from '../sim/samples.js';
import { quantile, round } from './support/measure.js';
import { buildWorkload } from './support/workload.js';

const HOUR = 3_600_000;

const CODECS: Record<string, (json: string) => Uint8Array> = {
  'JSON text (plain)': (json) => Buffer.from(json, 'utf8'),
  'raw deflate, level 9': (json) => deflateRawSync(json, { level: 9, memLevel: 9 }),
  'raw deflate + ECS dictionary (deflate-ecs-1)': (json) =>
    deflateRawSync(json, { level: 9, memLevel: 9, dictionary: ECS_EVENT_DICTIONARY_V1 }),
  'brotli, quality 5': (json) => brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
  'brotli, quality 11 (text mode)': (json) =>
    brotliCompressSync(json, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
    }),
};

const stored = (event: unknown): string => {
  const parsed = parseEvent(event, { redactEnvironment: true });
  if (!parsed.ok) throw new Error(parsed.rejection.message);
  return JSON.stringify(parsed.value.event);
};

const samples = [...loadSamples()].map(([name, e]) => [name, stored(e)] as const);
const start = Math.floor(Date.now() / HOUR) * HOUR - 24 * HOUR;
const sim = buildWorkload(20261128, 20_000, start).events.map(stored);

const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
const lines = [
  `simulated estate: ${sim.length} distinct events; AWS samples: ${samples.length}; dictionary ${ECS_EVENT_DICTIONARY_V1.length} bytes`,
  '',
  row(['encoding', 'estate: mean bytes', 'p90', 'max', 'µs per encode', 'samples: bytes each']),
  row(['---', '---:', '---:', '---:', '---:', '---']),
];
for (const [name, encode] of Object.entries(CODECS)) {
  const t = performance.now();
  const sizes = sim.map((json) => encode(json).byteLength);
  const micros = ((performance.now() - t) * 1000) / sim.length;
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  lines.push(
    row([
      name,
      round(mean),
      quantile(sizes, 0.9),
      quantile(sizes, 1),
      round(micros),
      samples.map(([s, json]) => `${s} ${encode(json).byteLength}`).join(', '),
    ]),
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
