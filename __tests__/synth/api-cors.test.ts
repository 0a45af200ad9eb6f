// api.cors: validated like every setting, off by default, and synthesized into the HTTP API's cors_configuration with
// what the API itself needs (its methods, the auth mode's request headers, the response headers worth reading).
import { ConfigError, resolveConfig } from "../../src/config/load-config";
import { only, synthStack, testTarball } from "./helpers";

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    resolveConfig({ modelArtifact: { path: testTarball() }, ...raw }, { source: "test" });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected a ConfigError");
}

const corsOf = (raw: Record<string, unknown>) => only(synthStack(raw).json, "aws_apigatewayv2_api").body.cors_configuration;

describe("api.cors: synthesized into the HTTP API", () => {
  it("is off by default: no cors_configuration at all", () => {
    expect(corsOf({})).toBeUndefined();
  });

  it("allows the origins given, POST and the preflight, the body's Content-Type, and exposes Retry-After and X-Request-Id", () => {
    expect(corsOf({ api: { cors: { allowOrigins: ["https://app.example.com", "http://localhost:5173"] } } })).toEqual({
      allow_origins: ["https://app.example.com", "http://localhost:5173"],
      allow_methods: ["OPTIONS", "POST"],
      allow_headers: ["content-type"],
      expose_headers: ["retry-after", "x-request-id"],
      max_age: 7200,
      allow_credentials: false,
    });
  });

  it.each([
    ["jwt", { mode: "jwt", jwtIssuer: "https://issuer.example.com/", jwtAudience: ["classifier"] }, ["authorization", "content-type"]],
    ["iam", { mode: "iam" }, ["authorization", "content-type", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"]],
  ])("adds the request headers %s callers sign with", (_mode, auth, headers) => {
    expect(corsOf({ auth, api: { cors: { allowOrigins: ["https://app.example.com"] } } }).allow_headers).toEqual(headers);
  });

  it("merges the configured headers into the needed ones (lower case, once each) and keeps max age and credentials", () => {
    // Act
    const cors = corsOf({
      api: {
        cors: {
          allowOrigins: ["https://app.example.com"],
          allowHeaders: ["X-Client-Version", "Content-Type"],
          exposeHeaders: ["ETag"],
          maxAgeSeconds: 600,
          allowCredentials: true,
        },
      },
    });
    // Assess
    expect(cors).toMatchObject({
      allow_headers: ["content-type", "x-client-version"],
      expose_headers: ["etag", "retry-after", "x-request-id"],
      max_age: 600,
      allow_credentials: true,
    });
  });
});

describe("api.cors: each bad value gets its own message", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'credentials with the origin "*" (API Gateway refuses it)',
      { allowOrigins: ["*"], allowCredentials: true },
      'api.cors.allowCredentials: cannot be true with the origin "*"',
    ],
    ["no origin", { allowOrigins: [] }, "api.cors.allowOrigins: must list at least one origin"],
    ["no allowOrigins at all", {}, "api.cors.allowOrigins: Required"],
    ["an origin with a trailing slash", { allowOrigins: ["https://app.example.com/"] }, "api.cors.allowOrigins.0: must be"],
    ["an origin with a path", { allowOrigins: ["https://app.example.com/upload"] }, "api.cors.allowOrigins.0: must be"],
    ["an origin in capitals", { allowOrigins: ["https://App.example.com"] }, "api.cors.allowOrigins.0: must be"],
    ["an origin without a scheme", { allowOrigins: ["app.example.com"] }, "api.cors.allowOrigins.0: must be"],
    ["a wildcard inside a host", { allowOrigins: ["https://*.example.com"] }, "api.cors.allowOrigins.0: must be"],
    ["a repeated origin", { allowOrigins: ["https://a.example.com", "https://a.example.com"] }, "api.cors.allowOrigins: must not repeat"],
    ["a header name with a space", { allowOrigins: ["*"], allowHeaders: ["x client"] }, "api.cors.allowHeaders.0: must be an HTTP header"],
    ["a max age over API Gateway's limit", { allowOrigins: ["*"], maxAgeSeconds: 86401 }, "api.cors.maxAgeSeconds: must be at most 86400"],
    ["a misspelt key", { allowOrigins: ["*"], allowMethods: ["GET"] }, "api.cors: Unrecognized key(s) in object: 'allowMethods'"],
  ];

  it.each(cases)("%s", (_name, cors, expected) => {
    // Act
    const problems = problemsOf({ api: { cors } });
    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it.each([["*"], ["https://*"], ["http://*"], ["https://app.example.com"], ["http://localhost:5173"], ["https://xn--bcher-kva.example"]])(
    "accepts the origin %s",
    (origin) => {
      expect(
        resolveConfig({ modelArtifact: { path: testTarball() }, api: { cors: { allowOrigins: [origin] } } }).apiCors?.allowOrigins,
      ).toEqual([origin]);
    },
  );
});
