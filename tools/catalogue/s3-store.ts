/**
 * An S3 prefix as an ObjectStore: the AWS catalogue runner's source (listing with ETags, reading nothing else) and its
 * output location (manifests, the transform job's `.out` objects, indexes, the pointer).
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3Folder } from "../../src/config/catalogue";
import type { ObjectStore, StoredObject } from "./object-store";

export class S3Store implements ObjectStore {
  readonly location: string;

  constructor(
    private readonly client: S3Client,
    readonly folder: S3Folder,
  ) {
    this.location = `s3://${folder.bucket}/${folder.prefix}`;
  }

  async *list(prefix = ""): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.folder.bucket, Prefix: `${this.folder.prefix}${prefix}`, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || object.Key.endsWith("/")) continue; // "folder" placeholder objects
        yield { key: object.Key.slice(this.folder.prefix.length), etag: object.ETag ?? "", size: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: this.folder.bucket, Key: `${this.folder.prefix}${key}` }));
      return Buffer.from(await output.Body!.transformToByteArray());
    } catch (error) {
      if ((error as { name?: string }).name === "NoSuchKey") return undefined;
      throw error;
    }
  }

  async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.folder.bucket, Key: `${this.folder.prefix}${key}`, Body: body, ContentType: contentType }),
    );
  }

  locationOf(key: string): string {
    return `${this.location}${key}`;
  }
}
