// CORS in the local API over real HTTP on loopback: preflights answered by the gateway (the function never runs),
// the configured headers on every answer to an allowed origin, the function's own CORS headers ignored, and nothing
// at all without a configuration. Requests go through http.request so Origin and the preflight headers are sent as
// a browser sends them.
import * as http from "http";
import type { AddressInfo } from "net";
import { createApiServer, LambdaInvoker } from "../../local/api-server";
import type { InvokeOutcome } from "../../local/lambda-runtime";
import { corsSettings } from "../../src/config/cors";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const CORS = corsSettings(
  {
    allowOrigins: ["https://app.example.com", "http://*"],
    allowHeaders: [],
    exposeHeaders: [],
    maxAgeSeconds: 600,
    allowCredentials: false,
  },
  "jwt",
);

let invocations: number;
const fakeLambda: LambdaInvoker = {
  async invoke(): Promise<InvokeOutcome> {
    invocations++;
    return {
      kind: "result",
      // A function that sets CORS headers of its own: API Gateway ignores them when the API has a CORS configuration.
      value: {
        statusCode: 503,
        headers: { "content-type": "application/json", "retry-after": "1", "access-control-allow-origin": "https://evil.example" },
        body: '{"error":{"code":"endpoint_throttled"}}',
      },
      durationMs: 1,
    };
  },
};

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const corsHeaders = (answer: Answer) =>
  Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name.startsWith("access-control-")));

const preflight = (origin: string) => ({
  origin,
  "access-control-request-method": "POST",
  "access-control-request-headers": "content-type",
});

let withCors: http.Server;
let withoutCors: http.Server;
let url: string;
let plainUrl: string;

beforeAll(async () => {
  withCors = createApiServer({ routeKeys: ["POST /classify"], lambda: fakeLambda, accessLog: () => undefined, cors: CORS });
  withoutCors = createApiServer({ routeKeys: ["POST /classify"], lambda: fakeLambda, accessLog: () => undefined });
  url = await listen(withCors);
  plainUrl = await listen(withoutCors);
});

afterAll(async () => {
  for (const server of [withCors, withoutCors]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

beforeEach(() => {
  invocations = 0;
});

describe("Local API with a CORS configuration", () => {
  it.each(["/classify", "/no-such-route"])("answers a preflight to %s itself: 204 with the configuration's headers", async (path) => {
    // Act
    const answer = await send(url, "OPTIONS", path, preflight("https://app.example.com"));
    // Assess
    expect(answer.status).toBe(204);
    expect(answer.body).toBe("");
    expect(corsHeaders(answer)).toEqual({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-methods": "OPTIONS,POST",
      "access-control-allow-headers": "authorization,content-type",
      "access-control-max-age": "600",
    });
    expect(invocations).toBe(0);
  });

  it("echoes an origin a scheme wildcard allows, and gives an origin not allowed no CORS header", async () => {
    // Act
    const wildcard = await send(url, "OPTIONS", "/classify", preflight("http://localhost:5173"));
    const other = await send(url, "OPTIONS", "/classify", preflight("https://other.example"));
    // Assess
    expect(wildcard.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    expect(other.status).toBe(204);
    expect(corsHeaders(other)).toEqual({});
    expect(invocations).toBe(0);
  });

  it("routes an OPTIONS request that is no preflight (no Access-Control-Request-Method) like any other: 404", async () => {
    // Act
    const answer = await send(url, "OPTIONS", "/classify", { origin: "https://app.example.com" });
    // Assess
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ message: "Not Found" });
    expect(answer.headers["access-control-allow-origin"]).toBe("https://app.example.com");
  });

  it("puts its own CORS headers on the function's answer to an allowed origin and drops the function's", async () => {
    // Act
    const answer = await send(url, "POST", "/classify", { origin: "https://app.example.com", "content-type": "image/png" }, "x");
    // Assess
    expect(invocations).toBe(1);
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBe("1");
    expect(corsHeaders(answer)).toEqual({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-expose-headers": "retry-after,x-request-id",
    });
  });

  it("sends no CORS header to an origin not allowed, nor to a request without Origin (and still drops the function's)", async () => {
    // Act
    const other = await send(url, "POST", "/classify", { origin: "https://other.example" }, "x");
    const noOrigin = await send(url, "POST", "/classify", {}, "x");
    // Assess
    expect([other.status, noOrigin.status]).toEqual([503, 503]);
    expect([corsHeaders(other), corsHeaders(noOrigin)]).toEqual([{}, {}]);
  });

  it("puts the CORS headers on the gateway's own errors too", async () => {
    // Act
    const answer = await send(url, "GET", "/classify", { origin: "https://app.example.com" });
    // Assess
    expect(answer.status).toBe(404);
    expect(answer.headers["access-control-allow-origin"]).toBe("https://app.example.com");
  });
});

describe("Local API without a CORS configuration (the default)", () => {
  it("has no preflight: OPTIONS is an unknown route (404), and the function's headers pass through as they are", async () => {
    // Act
    const options = await send(plainUrl, "OPTIONS", "/classify", preflight("https://app.example.com"));
    const post = await send(plainUrl, "POST", "/classify", { origin: "https://app.example.com" }, "x");
    // Assess
    expect(options.status).toBe(404);
    expect(corsHeaders(options)).toEqual({});
    expect(corsHeaders(post)).toEqual({ "access-control-allow-origin": "https://evil.example" });
  });
});
