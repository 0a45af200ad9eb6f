/**
 * The local stack's S3 front over real HTTP with the real @aws-sdk/client-s3 (what the bundled function uses): object
 * bytes, ETag and If-None-Match, S3's errors, and no way out of its folder.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { S3FolderFront, startS3FolderFront } from "../../local/s3-folder-front";

describe("local S3 front", () => {
  let dir: string;
  let front: S3FolderFront;
  let client: S3Client;
  const get = (Key: string, IfNoneMatch?: string, Bucket = "local-catalogue") =>
    client.send(new GetObjectCommand({ Bucket, Key, IfNoneMatch }));
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: any) => ({ name: error.name, status: error.$metadata?.httpStatusCode }),
    );

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3-front-"));
    fs.mkdirSync(path.join(dir, "indexes", "one"), { recursive: true });
    fs.writeFileSync(path.join(dir, "latest.json"), '{"index":"one"}');
    fs.writeFileSync(path.join(dir, "indexes", "one", "vectors.npy"), Buffer.alloc(300_000, 7));
    front = await startS3FolderFront("local-catalogue", dir);
    // Path-style requests to an IP address endpoint, as the function's SDK makes them with AWS_ENDPOINT_URL_S3.
    client = new S3Client({ endpoint: front.url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  });
  afterAll(async () => {
    client.destroy();
    await front.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("serves an object's bytes with S3's ETag (the MD5 of the bytes, quoted)", async () => {
    const object = await get("latest.json");
    expect(await object.Body!.transformToString()).toBe('{"index":"one"}');
    expect(object.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const large = await get("indexes/one/vectors.npy");
    expect((await large.Body!.transformToByteArray()).length).toBe(300_000);
  });

  it("answers 304 to If-None-Match with the current ETag, and the new bytes once the file changed", async () => {
    const first = await get("latest.json");
    expect(await failure(get("latest.json", first.ETag))).toEqual({ name: expect.any(String), status: 304 });
    fs.writeFileSync(path.join(dir, "latest.json"), '{"index":"two"}');
    const moved = await get("latest.json", first.ETag);
    expect(await moved.Body!.transformToString()).toBe('{"index":"two"}');
    expect(moved.ETag).not.toBe(first.ETag);
  });

  it.each([
    ["a missing key", "nope.json", "local-catalogue", "NoSuchKey", 404],
    ["a folder", "indexes", "local-catalogue", "NoSuchKey", 404],
    ["another bucket", "latest.json", "someone-elses", "NoSuchBucket", 404],
  ])("answers %s as S3 does", async (_name, key, bucket, code, status) => {
    expect(await failure(get(key, undefined, bucket))).toEqual({ name: code, status });
  });

  it("never serves a file outside its folder (an encoded ../ in the key)", async () => {
    fs.writeFileSync(path.join(path.dirname(dir), "outside.txt"), "secret");
    const answer = await fetch(`${front.url}/local-catalogue/..%2Foutside.txt`);
    expect(answer.status).toBe(404);
    expect(await answer.text()).toContain("<Code>NoSuchKey</Code>");
    fs.rmSync(path.join(path.dirname(dir), "outside.txt"));
  });
});
