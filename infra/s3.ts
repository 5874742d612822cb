import { readFileSync } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../domain/errors.js';

// The backfill's destination: the export's files written to S3 under the layout Firehose writes
// (`<prefix>day=YYYY-MM-DD/<name>.parquet`), so one Glue table reads both.

export interface S3Location {
  readonly bucket: string;
  /** Empty, or ending in `/`. */
  readonly prefix: string;
}

/** `s3://bucket/prefix` → its bucket and prefix; a usage error for anything else. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new UsageError(`--s3 must be s3://<bucket>/<prefix>, got ${JSON.stringify(url)}`);
  const prefix = m[2] ?? '';
  return { bucket: m[1] as string, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

/** Writes one local file to `<prefix><key>` (SSE-S3, as the bucket's default says). */
export async function putFile(client: S3Client, to: S3Location, key: string, path: string): Promise<void> {
  await client.send(
    new PutObjectCommand({
      Bucket: to.bucket,
      Key: `${to.prefix}${key}`,
      Body: readFileSync(path),
      ContentType: 'application/vnd.apache.parquet',
      ServerSideEncryption: 'AES256',
    }),
  );
}
