/**
 * A fake SageMaker Runtime on 127.0.0.1 (random port) that speaks InvokeEndpoint's real wire protocol
 * (rest-json, botocore model sagemaker-runtime 2017-05-13):
 *   POST /endpoints/{EndpointName}/invocations, body = payload, headers Content-Type / Accept /
 *   X-Amzn-SageMaker-Custom-Attributes; errors as JSON bodies with the `x-amzn-errortype` header.
 * It can also play an endpoint with a smaller body limit (limitBodySize: serverless takes 4 MB) and a model
 * server whose queue is full (modelServerBusyAnswer) or whose worker died (workerDiedAnswer).
 * Point the real SDK at it with AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=<url> (plus dummy credentials).
 * Each test scripts the answers and reads back what the server saw (requests, aborted connections).
 * Reusable by the local-stack tests: it has no jest dependency.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { sagemakerEndpointLogGroupName } from "../common/facts";
import { LOCAL_ACCOUNT_ID } from "../local/apigw-event";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly endpointName: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The client's source port: the same port on two requests means the connection was kept alive. */
  readonly remotePort: number | undefined;
  /** Set when the client closed the connection before the answer was complete (a timeout that aborted). */
  aborted: boolean;
}

export interface FakeAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Wait this long before sending the status line (a slow model). */
  readonly delayMs?: number;
  /** Send the headers, then wait this long before the body (a stalled response). */
  readonly stallBodyMs?: number;
}

export type Responder = (request: RecordedRequest) => FakeAnswer | Promise<FakeAnswer>;

export interface FakeSageMakerRuntime {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Answer every following request with this responder (or answers taken in order, the last one repeating). */
  respondWith(responder: Responder | FakeAnswer | FakeAnswer[]): void;
  close(): Promise<void>;
}

const INVOCATIONS_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

/** Starts the server; `close()` it in afterAll/afterEach. */
export async function startFakeSageMakerRuntime(
  initial: Responder | FakeAnswer | FakeAnswer[] = classifyAnswer(),
): Promise<FakeSageMakerRuntime> {
  const requests: RecordedRequest[] = [];
  let responder = toResponder(initial);
  const sockets = new Set<import("node:net").Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const path = (req.url ?? "").split("?")[0];
      const match = INVOCATIONS_PATH.exec(path);
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path,
        endpointName: match ? decodeURIComponent(match[1]) : undefined,
        headers: req.headers,
        body: Buffer.concat(chunks),
        remotePort: req.socket.remotePort,
        aborted: false,
      };
      requests.push(recorded);
      res.on("close", () => {
        if (!res.writableFinished) recorded.aborted = true;
      });
      const answer: FakeAnswer =
        req.method !== "POST" || !match ? errorAnswer(404, "UnknownOperationException", "Unknown operation") : await responder(recorded);
      if (answer.delayMs) await wait(answer.delayMs);
      if (res.destroyed) return;
      const body = answer.body ?? "";
      res.writeHead(answer.status, {
        "x-amzn-requestid": `fake-${requests.length}`,
        "content-length": String(Buffer.byteLength(body)),
        ...answer.headers,
      });
      if (answer.stallBodyMs) {
        res.flushHeaders();
        await wait(answer.stallBodyMs);
        if (res.destroyed) return;
      }
      res.end(body);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(next) {
      responder = toResponder(next);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toResponder(value: Responder | FakeAnswer | FakeAnswer[]): Responder {
  if (typeof value === "function") return value;
  if (!Array.isArray(value)) return () => value;
  const queue = [...value];
  return () => (queue.length > 1 ? (queue.shift() as FakeAnswer) : queue[0]);
}

// ---- Answers with SageMaker's real shapes --------------------------------------------------------------

/** 200 classify answer (docs/contracts.md, "Endpoint success bodies"). Scores deliberately unsorted unless told otherwise. */
export function classifyAnswer(
  predictions = [
    { label: "tiger cat", score: 0.05 },
    { label: "tabby, tabby cat", score: 0.93 },
  ],
): FakeAnswer {
  return json(200, { predictions });
}

export function embedAnswer(embedding = [0.6, 0.8]): FakeAnswer {
  return json(200, { embedding, dim: embedding.length });
}

/** Any modeled or unmodeled service error: `x-amzn-errortype` names it, the JSON body carries its members. */
export function errorAnswer(status: number, errorType: string, message: string | null, extra: Record<string, unknown> = {}): FakeAnswer {
  return {
    status,
    headers: { "content-type": "application/json", "x-amzn-errortype": errorType },
    body: JSON.stringify({ message, ...extra }),
  };
}

/**
 * ModelError: HTTP 424 from SageMaker when the container answered 4xx/5xx; the container's status and
 * body come back as OriginalStatusCode / OriginalMessage.
 */
export function modelErrorAnswer(originalStatusCode: number, originalMessage: string): FakeAnswer {
  const kind = originalStatusCode >= 400 && originalStatusCode < 500 ? "client" : "server";
  return errorAnswer(
    424,
    "ModelError",
    `Received ${kind} error (${originalStatusCode}) from primary with message "${originalMessage}". See https://eu-west-1.console.aws.amazon.com/cloudwatch/home for more information.`,
    {
      ErrorCode: kind === "client" ? "CLIENT_ERROR_FROM_MODEL" : "SERVER_ERROR_FROM_MODEL",
      OriginalStatusCode: originalStatusCode,
      OriginalMessage: originalMessage,
      LogStreamArn: `arn:aws:logs:eu-west-1:${LOCAL_ACCOUNT_ID}:log-group:${sagemakerEndpointLogGroupName("test-endpoint")}`,
    },
  );
}

/**
 * A model server whose job queue is full: multi-model-server (and TorchServe, with its own wording) answers 503
 * with this body, and SageMaker passes it on as a ModelError.
 */
export function modelServerBusyAnswer(originalStatusCode = 503): FakeAnswer {
  return modelErrorAnswer(
    originalStatusCode,
    JSON.stringify({
      code: originalStatusCode,
      type: "ServiceUnavailableException",
      message: "No worker is available to serve request: model",
    }),
  );
}

/** A model server whose worker process died while running the request (multi-model-server and TorchServe). */
export function workerDiedAnswer(): FakeAnswer {
  return modelErrorAnswer(500, JSON.stringify({ code: 500, type: "InternalServerException", message: "Worker died." }));
}

/** What SageMaker answers when the body is over the endpoint's own limit (4 MB for a serverless endpoint). */
export function oversizeBodyAnswer(requestId = "7b4a5c1e-0d2f-4e8a-9c3b-1f6e2d8a4b5c"): FakeAnswer {
  return errorAnswer(400, "ValidationError", `Request ${requestId} has oversize body.`);
}

/** Answers like an endpoint with a body limit: oversize bodies get SageMaker's ValidationError, others `next`. */
export function limitBodySize(maxBytes: number, next: Responder | FakeAnswer | FakeAnswer[] = classifyAnswer()): Responder {
  const answer = toResponder(next);
  return (request) => (request.body.length > maxBytes ? oversizeBodyAnswer() : answer(request));
}

/** Not in the API model, but what SageMaker really sends when throttling: HTTP 400 with a null message. */
export function throttlingAnswer(): FakeAnswer {
  return errorAnswer(400, "ThrottlingException", null);
}

export function serviceUnavailableAnswer(): FakeAnswer {
  return errorAnswer(503, "ServiceUnavailable", "Service is unavailable, please retry.");
}

export function modelNotReadyAnswer(): FakeAnswer {
  return errorAnswer(429, "ModelNotReadyException", "Model is not ready for invocation yet.");
}

export function validationErrorAnswer(endpointName = "test-endpoint"): FakeAnswer {
  return errorAnswer(400, "ValidationError", `Endpoint ${endpointName} of account ${LOCAL_ACCOUNT_ID} not found.`);
}

export function internalFailureAnswer(): FakeAnswer {
  return errorAnswer(500, "InternalFailure", "An internal failure occurred.");
}

function json(status: number, body: unknown): FakeAnswer {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}
