/**
 * The one S3 call of the function: GetObject, with the client created once per execution environment. This module is
 * loaded by catalogue-objects.ts on the first catalogue request only; its named imports let esbuild keep just what
 * GetObject needs of @aws-sdk/client-s3 (a require of the whole package would bundle every S3 command).
 */
import { GetObjectCommand, GetObjectCommandOutput, S3Client } from "@aws-sdk/client-s3";

// Two attempts: a second one covers a dropped connection; the request's deadline (abortSignal) bounds both.
const client = new S3Client({ maxAttempts: 2 });

export function getObject(bucket: string, key: string, signal: AbortSignal, ifNoneMatch?: string): Promise<GetObjectCommandOutput> {
  return client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: ifNoneMatch }), { abortSignal: signal });
}
