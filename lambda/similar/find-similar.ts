/**
 * POST /similar: the query image's embedding from the endpoint (task=embed), then an exact cosine search over the
 * current catalogue index. The index is checked first, so a request that cannot be answered (no catalogue, no index
 * yet, an index of another model) costs no model call.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import type { CatalogueConfig } from "../config";
import { ApiError } from "../errors";
import type { ImageMime } from "../image-format";
import { invokeWithinBudget, InvokeStats } from "../invoke";
import { EmbedAnswer, parseModelAnswer } from "../model-response";
import { currentIndex } from "./current-index";

export interface SimilarRequest {
  readonly catalogue: CatalogueConfig | undefined;
  readonly client: SageMakerRuntimeClient;
  readonly logger: Logger;
  readonly endpointName: string;
  readonly image: Uint8Array;
  readonly mime: ImageMime;
  readonly topK: number;
  /** Epoch ms by which the answer must be ready (index load and endpoint call together). */
  readonly deadline: number;
  readonly requestId: string;
}

export interface SimilarAnswer {
  /** Best first: the catalogue's keys and their cosine similarity to the query image. */
  readonly matches: { readonly key: string; readonly score: number }[];
  readonly index: { readonly id: string; readonly count: number; readonly created: string };
}

export async function findSimilar(request: SimilarRequest, stats: InvokeStats): Promise<SimilarAnswer> {
  if (request.catalogue === undefined) throw new ApiError("catalogue_not_configured");
  const catalogue = request.catalogue;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, request.deadline - Date.now()));
  let index;
  try {
    index = await currentIndex(catalogue, controller.signal, { loaded: (fields) => request.logger.info("catalogue index loaded", fields) });
  } finally {
    clearTimeout(timer);
  }

  const body = await invokeWithinBudget(
    {
      client: request.client,
      logger: request.logger,
      endpointName: request.endpointName,
      task: "embed",
      topK: undefined,
      image: request.image,
      mime: request.mime,
      deadline: request.deadline,
      requestId: request.requestId,
    },
    stats,
  );
  const { embedding } = parseModelAnswer("embed", body, undefined) as EmbedAnswer;
  if (embedding.length !== index.dim) {
    // Same fingerprint, other dimension: the pointer or the index files do not belong to the serving model.
    throw new ApiError("catalogue_model_mismatch", { detail: { index: index.id, indexDim: index.dim, embeddingDim: embedding.length } });
  }
  const matches = index.matrix.search(embedding, request.topK).map(({ row, score }) => ({ key: index.keys[row], score: round(score) }));
  return { matches, index: { id: index.id, count: index.count, created: index.created } };
}

/** Six decimals: the int8 rows are good to about three, more digits would only be noise. */
const round = (score: number) => Math.round(score * 1e6) / 1e6;
