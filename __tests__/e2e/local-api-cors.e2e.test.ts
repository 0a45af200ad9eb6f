// The local API process as `npm run local` starts it (local/stack.ts startApi: Node.js 22, the real Lambda bundle),
// with a config's CORS settings: the preflight and the CORS headers reach a browser-like client through the process's
// environment. No endpoint is needed: a preflight never reaches the function, and the POST's function answer (the
// endpoint is unreachable) still carries the headers.
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { freePort } from "../../dev-runtime/ports";
import type { ManagedProcess } from "../../dev-runtime/processes";
import { startApi } from "../../local/stack";
import { testConfig } from "../synth/helpers";
import { bundleLambda } from "../../src/support/lambda-bundle";

jest.setTimeout(60_000);

let api: ManagedProcess;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "cors-e2e-"));

beforeAll(async () => {
  const cors = testConfig({ api: { cors: { allowOrigins: ["https://app.example.com"] } } }).apiCors;
  api = await startApi({
    port: await freePort(),
    bundleFile: bundleLambda({ outdir: path.join(work, "lambda") }).file,
    endpointUrl: `http://127.0.0.1:${await freePort()}`,
    endpointName: "local-vit",
    cors,
  });
});

afterAll(async () => {
  await api?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function send(
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${api.ready}/classify`, { method, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

it("answers a browser's preflight with the config's CORS headers", async () => {
  // Act
  const answer = await send("OPTIONS", { origin: "https://app.example.com", "access-control-request-method": "POST" });
  // Assess
  expect(answer.status).toBe(204);
  expect(answer.headers["access-control-allow-origin"]).toBe("https://app.example.com");
  expect(answer.headers["access-control-allow-methods"]).toBe("OPTIONS,POST");
  expect(answer.headers["access-control-allow-headers"]).toBe("content-type");
});

it("adds the CORS headers to the function's answer", async () => {
  // Act
  const answer = await send("POST", { origin: "https://app.example.com", "content-type": "image/png" }, "not an image");
  // Assess
  expect(answer.headers["x-request-id"]).toBeDefined();
  expect(answer.headers["access-control-allow-origin"]).toBe("https://app.example.com");
  expect(answer.headers["access-control-expose-headers"]).toBe("retry-after,x-request-id");
});
