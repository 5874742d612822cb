import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SAMPLES_DIR = fileURLToPath(new URL('../samples/aws-docs/', import.meta.url));

/** The AWS documentation's example events shipped in samples/aws-docs, by file name (without .json). */
export function loadSamples(prefix = ''): Map<string, unknown> {
  const samples = new Map<string, unknown>();
  for (const file of readdirSync(SAMPLES_DIR).sort()) {
    if (file.endsWith('.json') && file.startsWith(prefix)) {
      samples.set(file.slice(0, -5), JSON.parse(readFileSync(SAMPLES_DIR + file, 'utf8')));
    }
  }
  return samples;
}
