import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { FolderStore } from "../../../tools/catalogue/folder-store";
import { ContainerHandle, LocalTransformExecutor } from "../../../tools/catalogue/local-transform";
import { TRANSFORM_ENVIRONMENT, TransformProgress } from "../../../tools/catalogue/transform-job";

/** A stand-in container on loopback: records what it receives and answers as `answer` says. */
async function fakeContainer(answer: (body: Buffer, count: number) => { status: number; body: string; delayMs?: number }) {
  const seen: { headers: http.IncomingHttpHeaders; body: Buffer; path: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const body = Buffer.concat(chunks);
      seen.push({ headers: req.headers, body, path: req.url ?? "" });
      const reply = answer(body, seen.length);
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.body);
      }, reply.delayMs ?? 5);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let environment: Readonly<Record<string, string>> | undefined;
  let stopped = false;
  const handle = {
    seen,
    maxInFlight: () => maxInFlight,
    environment: () => environment,
    stopped: () => stopped,
    start: async (env: Readonly<Record<string, string>>): Promise<ContainerHandle> => {
      environment = env;
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        stop: async () => {
          stopped = true;
        },
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return handle;
}

describe("LocalTransformExecutor", () => {
  let dir: string;
  let source: FolderStore;
  let output: FolderStore;
  const keys = ["a.jpg", "b.jpg", "c/d.jpg", "e.jpg", "f.jpg", "g.jpg"];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-transform-"));
    source = new FolderStore(path.join(dir, "src"));
    output = new FolderStore(path.join(dir, "out"));
    for (const key of keys) {
      fs.mkdirSync(path.dirname(path.join(dir, "src", key)), { recursive: true });
      fs.writeFileSync(path.join(dir, "src", key), `bytes of ${key}`);
    }
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const executor = (start: (env: Readonly<Record<string, string>>) => Promise<ContainerHandle>, concurrency = 2, retries = 2) =>
    new LocalTransformExecutor({
      source,
      output,
      modelDir: "unused",
      settings: { maxConcurrentTransforms: concurrency, invocationTimeoutSeconds: 5, invocationMaxRetries: retries },
      startContainer: start,
    });
  const request = { runId: "run-1", keys, manifestKey: "runs/run-1/manifest.json", outputPrefix: "runs/run-1/out/" };

  it("posts every image to /invocations with the job's environment and content type, at most N at a time, and writes <key>.out", async () => {
    // Prepare
    const container = await fakeContainer((body) => ({ status: 200, body: JSON.stringify({ echo: body.toString() }), delayMs: 30 }));
    const progress: TransformProgress[] = [];

    try {
      // Act
      const { jobName } = await executor(container.start, 2).run(request, (p) => progress.push(p));

      // Assess
      expect(jobName).toBe("local-run-1");
      expect(container.environment()).toEqual(TRANSFORM_ENVIRONMENT);
      expect(container.seen.map((s) => s.path)).toEqual(Array(6).fill("/invocations"));
      expect(container.seen[0].headers["content-type"]).toBe("application/x-image");
      expect(container.maxInFlight()).toBe(2);
      for (const key of keys) {
        expect(JSON.parse(fs.readFileSync(path.join(dir, "out", "runs", "run-1", "out", `${key}.out`), "utf8"))).toEqual({
          echo: `bytes of ${key}`,
        });
      }
      expect(progress.at(-1)).toEqual({ done: 6, total: 6, status: "running" });
      expect(container.stopped()).toBe(true);
    } finally {
      await container.close();
    }
  });

  it("retries an invocation that failed with a server error, as InvocationsMaxRetries does", async () => {
    const container = await fakeContainer((_body, count) => (count === 1 ? { status: 503, body: "{}" } : { status: 200, body: "{}" }));
    try {
      await executor(container.start, 1).run(request, () => undefined);
      expect(container.seen).toHaveLength(7);
    } finally {
      await container.close();
    }
  });

  it("fails the job when an image still fails after the retries, and stops the container", async () => {
    const container = await fakeContainer((body) =>
      body.toString().includes("c/d.jpg") ? { status: 500, body: '{"code":500}' } : { status: 200, body: "{}" },
    );
    try {
      await expect(executor(container.start, 1, 2).run(request, () => undefined)).rejects.toThrow(
        "transform job local-run-1 failed: image c/d.jpg: the container answered 500",
      );
      expect(container.seen.filter((s) => s.body.toString().includes("c/d.jpg"))).toHaveLength(3);
      expect(container.stopped()).toBe(true);
    } finally {
      await container.close();
    }
  });

  it("does not retry a client error: the same image would get it again", async () => {
    const container = await fakeContainer(() => ({ status: 415, body: '{"code":"unsupported_media_type"}' }));
    try {
      await expect(executor(container.start, 1, 3).run(request, () => undefined)).rejects.toThrow("the container answered 415");
      expect(container.seen).toHaveLength(1);
    } finally {
      await container.close();
    }
  });
});
