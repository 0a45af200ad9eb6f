"""SageMaker Runtime's InvokeEndpoint error wire format (protocol rest-json, botocore sagemaker-runtime 2017-05-13).

The error type travels in the `x-amzn-errortype` header (the SDKs read it first) and the members in a JSON body.
ModelError (HTTP 424) carries the container's own status and body as OriginalStatusCode / OriginalMessage.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

# Stand-ins for the values a real endpoint fills in: "local" can never be mistaken for a real account ID.
LOCAL_ACCOUNT = "local"
# InvokeEndpoint Body max in the service model, from the file the TypeScript side reads too (common/facts.ts).
_INVOKE_LIMITS = json.loads((Path(__file__).resolve().parents[2] / "common" / "invoke-limits.json").read_text())
MAX_PAYLOAD_BYTES: int = _INVOKE_LIMITS["realtimeInvokeMaxBytes"]
MAX_CUSTOM_ATTRIBUTES = 1024

# The text SageMaker gives when the container does not answer within 60 s (status 0: no HTTP answer at all).
TIMEOUT_MESSAGE = (
    "Your invocation timed out while waiting for a response from container primary. "
    "Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again."
)


class RuntimeErrorAnswer:
    """One error response: status, headers and JSON body, ready to write."""

    def __init__(self, status: int, error_type: str, body: dict):
        self.status = status
        self.error_type = error_type
        self.body = json.dumps(body).encode()

    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "x-amzn-errortype": self.error_type}


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def log_group(endpoint_name: str) -> str:
    return f"/aws/sagemaker/Endpoints/{endpoint_name}"


def model_error(endpoint_name: str, original_status: int, original_message: str) -> RuntimeErrorAnswer:
    """424 ModelError: the container answered non-2xx (or not at all: original_status 0)."""
    kind = "client" if 400 <= original_status < 500 else "server"
    region = _region()
    message = (
        f'Received {kind} error ({original_status}) from primary with message "{original_message}". '
        f"See https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#logEventViewer:group={log_group(endpoint_name)} in account {LOCAL_ACCOUNT} for more information."
    )
    return RuntimeErrorAnswer(
        424,
        "ModelError",
        {
            "ErrorCode": "CLIENT_ERROR_FROM_MODEL" if kind == "client" else "INTERNAL_FAILURE_FROM_MODEL",
            "LogStreamArn": f"arn:aws:logs:{region}:{LOCAL_ACCOUNT}:log-group:{log_group(endpoint_name)}",
            "Message": message,
            "OriginalMessage": original_message,
            "OriginalStatusCode": original_status,
        },
    )


def validation_error(message: str) -> RuntimeErrorAnswer:
    return RuntimeErrorAnswer(400, "ValidationError", {"message": message})


def endpoint_not_found(name: str) -> RuntimeErrorAnswer:
    return validation_error(f"Endpoint {name} of account {LOCAL_ACCOUNT} not found.")


def service_unavailable(message: str) -> RuntimeErrorAnswer:
    return RuntimeErrorAnswer(503, "ServiceUnavailable", {"message": message})


def internal_failure() -> RuntimeErrorAnswer:
    return RuntimeErrorAnswer(500, "InternalFailure", {"message": "An internal error occurred in the local endpoint."})


def unknown_operation() -> RuntimeErrorAnswer:
    return RuntimeErrorAnswer(404, "UnknownOperationException", {"message": "Not Found"})
