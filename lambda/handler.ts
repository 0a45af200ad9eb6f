/**
 * POST /classify and POST /embed: an uploaded image in, the model's JSON answer (or a precise JSON error) out.
 *
 * Flow: normalise the event -> check route, method and (for /classify) top_k -> decode the body to image bytes
 * (size and format checked before any SageMaker call) -> invoke the endpoint within the time budget -> validate its
 * answer.
 * Every outcome is one structured log line; errors become responses in exactly one place (errorResponse).
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult, Context, LambdaFunctionURLEvent } from "aws-lambda";
import { decodeImage, DecodedImage, mediaTypeOf } from "./body";
import { logger, sagemakerClient } from "./clients";
import { ConfigError, loadConfig } from "./config";
import { withCurlDataHint } from "./curl-data";
import { ApiError, toApiError } from "./errors";
import { HttpRequest, normaliseEvent } from "./event";
import { invokeWithinBudget, InvokeStats } from "./invoke";
import { parseModelAnswer } from "./model-response";
import { errorResponse, jsonResponse } from "./response";
import { parseTopK } from "./top-k";

export type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent | LambdaFunctionURLEvent;

/** Time kept back from the function's own timeout to build the answer and flush the log line. */
export const RESPONSE_RESERVE_MS = 500;

export async function handler(event: HttpEvent, context: Context): Promise<APIGatewayProxyResult> {
  const startedAt = Date.now();
  const requestId = context?.awsRequestId ?? randomUUID();
  if (context) logger.addContext(context);

  let request: HttpRequest | undefined;
  let image: DecodedImage | undefined;
  let topK: number | undefined;
  const stats: InvokeStats = { attempts: 0, endpointLatencyMs: 0 };

  let response: APIGatewayProxyResult;
  let failure: ApiError | undefined;
  try {
    const config = loadConfig();
    request = normaliseEvent(event);
    if (request.task === undefined) throw new ApiError("route_not_found", { detail: { path: request.path } });
    if (request.method !== "POST") throw new ApiError("method_not_allowed", { detail: { method: request.method } });
    // Only /classify has a use for top_k: /embed ignores it, as the endpoint does for task=embed.
    if (request.task === "classify") topK = parseTopK(request.query.top_k, config.topKMax);
    image = await decodeImage(request, config.maxImageBytes);

    const remainingMs = typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : Infinity;
    const body = await invokeWithinBudget(
      {
        client: sagemakerClient,
        logger,
        endpointName: config.endpointName,
        task: request.task,
        topK,
        image: image.bytes,
        mime: image.mime,
        deadline: Date.now() + Math.min(config.invokeBudgetMs, remainingMs - RESPONSE_RESERVE_MS),
        requestId,
      },
      stats,
    );
    response = jsonResponse(parseModelAnswer(request.task, body, topK), requestId);
  } catch (err) {
    failure =
      err instanceof ConfigError
        ? new ApiError("misconfigured", { cause: err, detail: { problems: err.problems } })
        : withCurlDataHint(toApiError(err), image?.inputKind === "raw" ? image.bytes : undefined);
    response = errorResponse(failure, requestId);
  }

  // One line per request; never the body or image bytes, only their sizes.
  const fields = {
    requestId,
    gatewayRequestId: request?.gatewayRequestId,
    eventShape: request?.shape,
    route: request?.task ?? request?.path,
    method: request?.method,
    contentType: mediaTypeOf(request?.headers["content-type"]),
    inputKind: image?.inputKind,
    detectedType: image?.mime,
    bodyBytes: image?.bodyBytes,
    imageBytes: image?.bytes.length,
    topK,
    status: response.statusCode,
    ...(failure ? { errorCode: failure.code, errorDetail: failure.detail } : {}),
    attempts: stats.attempts,
    endpointLatencyMs: stats.attempts > 0 ? stats.endpointLatencyMs : undefined,
    totalLatencyMs: Date.now() - startedAt,
  };
  if (failure && failure.status === 500) {
    // Our own fault (configuration or a bug): loud, with the cause, so an alarm on ERROR lines catches it.
    logger.error("request failed: service misconfigured or internal error", { ...fields, error: failure.cause });
  } else if (failure && failure.status >= 500) {
    logger.warn("request failed upstream", fields);
  } else {
    logger.info(failure ? "request rejected" : "request completed", fields);
  }
  return response;
}
