"""SageMaker inference handlers for a Hugging Face image classifier (e.g. google/vit-base-patch16-384).

Runs under the Hugging Face and the PyTorch SageMaker inference containers and locally. Each function takes
the optional `context` both toolkits pass (the model server's per-worker context), which carries the request
headers (custom attributes `top_k=<n>,task=<classify|embed>`, top_k optional: default min(5, label count);
task optional: default INFERENCE_TASK, classify) and lets us set the HTTP status of errors.

Request: raw image bytes (image/jpeg, png, webp, gif, bmp, x-image, application/octet-stream; format from
magic bytes) or application/json with one base64 image, a list of them (a batch of at most
INFERENCE_MAX_BATCH, default 8) or {"inputs": either}.
Response: {"predictions": [{"label", "score"}, ...]} or, for task=embed, {"embedding": [...], "dim": n};
a list of those for a JSON list. Errors: {"code", "message"} with status 400/413/415/422 (500 for our faults);
with INFERENCE_BATCH_MODE=1 (a Batch Transform job) status 200 and {"error": {"code", "message"}} instead.
"""

from __future__ import annotations

import json
import logging
from typing import TypedDict

from serving_deadline import DeadlineExceeded
from serving_errors import Rejected, RequestError, reject
from serving_model import LoadedModel, Prediction, load_model
from serving_request import ParsedRequest, options_from_context, parse_request, top_k_for
from serving_settings import load_settings

logger = logging.getLogger(__name__)

# Read once at import: an invalid variable fails the worker at start-up with every problem listed.
SETTINGS = load_settings()


# Success bodies (docs/contracts.md, "Endpoint success bodies").
class Classification(TypedDict):
    predictions: list[Prediction]


class Embedding(TypedDict):
    embedding: list[float]
    dim: int


Answer = Classification | Embedding


def model_fn(model_dir: str, context: object | None = None) -> LoadedModel:
    properties = getattr(context, "system_properties", None) or {}
    return load_model(model_dir, SETTINGS, gpu_id=properties.get("gpu_id"), under_model_server=context is not None)


def input_fn(input_data: object, content_type: str | None, context: object | None = None) -> ParsedRequest | Rejected:
    try:
        return parse_request(input_data, content_type, options_from_context(context, SETTINGS.task), SETTINGS)
    except RequestError as error:
        return reject(error, context, as_record=SETTINGS.batch_mode)


def predict_fn(
    data: ParsedRequest | Rejected, model: LoadedModel, context: object | None = None
) -> Answer | list[Answer] | Rejected:
    if isinstance(data, Rejected):
        return data
    try:
        with data.deadline.enforced():
            return _predict(data, model)
    except DeadlineExceeded:  # the caller has given up by now (the stack ties the limit to the Lambda's budget)
        limit = data.deadline.budget_ms
        logger.warning("inference stopped at the time limit per request (%d ms)", limit)
        message = f"the model did not finish within the endpoint's time limit per request ({limit} ms)"
        return reject(RequestError("internal_error", message), context)
    except RequestError as error:
        return reject(error, context, as_record=SETTINGS.batch_mode)
    except Exception:  # any fault: logged with its traceback; the caller gets a safe 500, never the trace
        logger.exception("inference failed")
        failure = RequestError("internal_error", "the model failed to process this request")
        return reject(failure, context, as_record=SETTINGS.batch_mode)


def output_fn(
    prediction: Answer | list[Answer] | Rejected,
    accept: str | None,  # noqa: ARG001 - the toolkits' signature; the answer is always JSON
    context: object | None = None,  # noqa: ARG001 - the toolkits' signature
) -> str:
    # Always JSON: the only type this endpoint produces. A plain str (not a (body, type) tuple) because the
    # Hugging Face toolkit would serialise a tuple as a JSON list.
    if isinstance(prediction, Rejected):
        return prediction.body
    return json.dumps(prediction)


def _predict(request: ParsedRequest, model: LoadedModel) -> Answer | list[Answer]:
    results: list[Answer]
    if request.options.task == "embed":
        vectors = model.embed(model.preprocess(request.images))
        results = [{"embedding": vector, "dim": len(vector)} for vector in vectors]
    else:
        top_k = top_k_for(request.options, model.num_labels)  # checked before the costly preprocessing
        results = [{"predictions": rows} for rows in model.classify(model.preprocess(request.images), top_k)]
    return results if request.batch else results[0]
