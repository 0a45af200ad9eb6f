"""
The AWS emulator's deviations from moto, each the narrowest change that lets the deploy rehearsal run
the real stack unchanged. Every patch names the moto gap it closes; `tests/test_workarounds.py` proves
each patch works and also that unpatched moto still has the gap, so a moto upgrade that fixes one
fails that test and the patch can be deleted.

1. A condition on a key the request does not carry makes its statement not apply, and so does a condition
   whose value does not match. That is AWS's rule (except for the ...IfExists and Null operators). moto treats
   a condition on an absent key as satisfied (moto/iam/policy_conditions.py: no value to compare, or an
   operator it cannot evaluate, such as Bool, passes), so the bucket's TLS-only statement (Deny when
   aws:SecureTransport is "false"; moto never supplies that key) denies every S3 call and the tarball upload
   fails with 403; and it answers a condition that does not match with a Deny, even in an Allow statement.
2. UpdateEndpoint (moto 5.2.x: "The update_endpoint action has not been implemented").
   Needed for any model rollout. The new configuration takes effect at once, like a healthy blue/green
   update. To rehearse a failed rollout, a configuration whose model has the container environment
   variable FAILS_HEALTH_CHECK_ENV set to "true" behaves like a model whose new instances never pass
   /ping: SageMaker rolls the endpoint back, so it keeps its old configuration and variants, returns to
   InService and reports a FailureReason.
3. CreateModel keeps EnableNetworkIsolation (moto stores False whatever was asked), so the rehearsal
   can check that the isolation the stack asks for is what was created.
4. CreateEndpointConfig accepts the instance families SageMaker added after moto's list was written (moto
   5.2.x knows m5/c5/r5/g4dn and older, and refuses e.g. ml.c7i.xlarge, the stack's default). Types of the
   families in NEWER_INSTANCE_FAMILIES pass; everything else is still moto's check.
5. Service Quotas knows SageMaker (moto 5.2.x lists default quotas for the "vpc" service only, and has neither
   GetAWSDefaultServiceQuota nor RequestServiceQuotaIncrease), so the preflight's quota checks run against the
   emulator: the "<type> for endpoint usage" quota of every family above (AWS default 0, as on new accounts) and
   the account-wide endpoint quotas with AWS's defaults. GetServiceQuota answers NoSuchResource until a value was
   requested, as AWS does for a quota nobody changed; RequestServiceQuotaIncrease applies the value at once (AWS
   reviews it first). The codes are the emulator's own, not AWS's. CreateEndpoint does not enforce the quotas.
6. CreateTransformJob refuses a model that does not exist, as SageMaker does (moto creates the job whatever
   ModelName says), so a rehearsal that creates a job on "the stack's model" proves the model is there.
7. IAM SimulatePrincipalPolicy for a role's policies (moto 5.2.x: not implemented), evaluated by moto's own
   policy engine (with workaround 1), so the rehearsal can ask what the deployed roles may do, as one asks AWS.
8. The StringLike condition operator (moto evaluates only StringEquals and lets every other operator pass), so
   a ListBucket grant held to a prefix by `s3:prefix` is evaluated as AWS does: * and ? are wildcards.
9. DeleteObject(s) with a VersionId in a bucket whose versioning is Suspended removes that one version, as S3 does.
   moto treats a suspended bucket as never versioned: it drops every version of the key, and fails with a 500 when
   one of them is a delete marker (FakeDeleteMarker has no dispose). Destroying a versioned bucket suspends its
   versioning first (aws_s3_bucket_versioning's delete), then force_destroy empties it version by version, so
   `terraform destroy` of the catalogue bucket retried that 500 for ever.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from typing import Any

from moto.core.responses import ActionResult
from moto.iam import policy_conditions
from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult
from moto.iam.models import IAMBackend
from moto.iam.responses import IamResponse
from moto.s3.exceptions import AccessDeniedByLock
from moto.s3.models import FakeDeleteMarker, FakeKey, S3Backend
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint, FakeEndpointConfig, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.servicequotas.exceptions import NoSuchResource
from moto.servicequotas.models import ServiceQuotasBackend
from moto.servicequotas.responses import ServiceQuotasResponse

FAILS_HEALTH_CHECK_ENV = "EMULATOR_FAILS_HEALTH_CHECK"

# Real-time inference families SageMaker offers that moto 5.2.x does not list (x86 CPU and GPU).
NEWER_INSTANCE_FAMILIES = (
    "m6i",
    "m6id",
    "m7i",
    "c6i",
    "c6id",
    "c7i",
    "r6i",
    "r6id",
    "r7i",
    "g5",
    "g6",
    "g6e",
    "p4d",
    "p5",
)
_NEWER_INSTANCE_TYPE = re.compile(rf"ml\.({'|'.join(NEWER_INSTANCE_FAMILIES)})\.(large|\d*xlarge)")

# SageMaker's endpoint quotas in the emulator's Service Quotas: one per instance type (families moto knows and the
# newer ones above), AWS default 0, plus the account-wide ones with the defaults AWS lists for them.
_QUOTA_FAMILIES = ("m5", "c5", "g4dn", *NEWER_INSTANCE_FAMILIES)
_QUOTA_SIZES = ("large", "xlarge", "2xlarge", "4xlarge")
SAGEMAKER_DEFAULT_QUOTAS: dict[str, float] = {
    **{f"ml.{family}.{size} for endpoint usage": 0.0 for family in _QUOTA_FAMILIES for size in _QUOTA_SIZES},
    "Number of instances across active endpoints": 4.0,
    "Maximum number of instances per endpoint": 4.0,
    "Maximum number of serverless endpoints": 5.0,
    "Maximum total concurrency that can be allocated across all serverless endpoints": 10.0,
}

_applied = False


def apply() -> None:
    """Patches moto in this process (idempotent). Call before the server handles a request."""
    global _applied
    if _applied:
        return
    _absent_condition_keys_do_not_match()
    _update_endpoint()
    _create_model_keeps_network_isolation()
    _newer_instance_families()
    _sagemaker_service_quotas()
    _transform_job_needs_its_model()
    _simulate_principal_policy()
    _string_like_conditions()
    _suspended_versioning_deletes_one_version()
    _applied = True


def _absent_condition_keys_do_not_match() -> None:
    moto_is_action_permitted = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(
        self: IAMPolicyStatement,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> PermissionResult:
        conditions = self._statement.get("Condition") or {}
        if _has_condition_on_absent_key(conditions, incoming_condition_values or {}):
            return PermissionResult.NEUTRAL
        if conditions and not self._check_conditions(incoming_condition_values):
            return PermissionResult.NEUTRAL
        return moto_is_action_permitted(self, action, resource, principal, incoming_condition_values)

    IAMPolicyStatement.is_action_permitted = is_action_permitted  # type: ignore[method-assign]


def _has_condition_on_absent_key(conditions: dict[str, dict[str, Any]], request_values: dict[str, str]) -> bool:
    for operator, keys in conditions.items():
        if operator.endswith("IfExists") or operator == "Null":
            continue
        if any(key not in request_values for key in keys):
            return True
    return False


def _update_endpoint() -> None:
    def update_endpoint(self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str) -> FakeEndpoint:
        endpoint = self.endpoints.get(endpoint_name)
        if endpoint is None:
            raise ValidationError(message=f"Could not find endpoint '{endpoint_name}'.")
        config = self.endpoint_configs.get(endpoint_config_name)
        if config is None:
            raise ValidationError(message=f"Could not find endpoint configuration '{endpoint_config_name}'.")
        variants = config.production_variants
        if any(_fails_health_check(self, variant["ModelName"]) for variant in variants):
            reason = (
                f"Updating endpoint {endpoint_name} to {endpoint_config_name} failed: the new production variants did "
                f"not pass the ping health check; the endpoint was rolled back to {endpoint.endpoint_config_name}."
            )
            endpoint.failure_reason = reason  # type: ignore[assignment]  # moto declares the attribute as None only
        else:
            endpoint.endpoint_config_name = endpoint_config_name
            endpoint.production_variants = endpoint._process_production_variants(variants)
            endpoint.failure_reason = None
        endpoint.endpoint_status = "InService"
        return endpoint

    def update_endpoint_response(self: SageMakerResponse) -> ActionResult:
        endpoint = self.sagemaker_backend.update_endpoint(  # type: ignore[attr-defined]  # set on the class below
            endpoint_name=self._get_param("EndpointName"),
            endpoint_config_name=self._get_param("EndpointConfigName"),
        )
        return ActionResult({"EndpointArn": endpoint.arn})

    SageMakerModelBackend.update_endpoint = update_endpoint  # type: ignore[attr-defined]
    SageMakerResponse.update_endpoint = update_endpoint_response  # type: ignore[attr-defined]


def _fails_health_check(backend: SageMakerModelBackend, model_name: str) -> bool:
    model = backend._models.get(model_name)
    environment: dict[str, Any] = ((model.primary_container if model else None) or {}).get("Environment") or {}
    return environment.get(FAILS_HEALTH_CHECK_ENV) == "true"


def _create_model_keeps_network_isolation() -> None:
    moto_create_model = SageMakerResponse.create_model

    def create_model(self: SageMakerResponse) -> ActionResult:
        result = moto_create_model(self)
        model = self.sagemaker_backend._models[self._get_param("ModelName")]
        model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation"))
        return result

    SageMakerResponse.create_model = create_model  # type: ignore[method-assign]


def _newer_instance_families() -> None:
    moto_validate = FakeEndpointConfig.validate_instance_type

    def validate_instance_type(self: FakeEndpointConfig, instance_type: str) -> None:
        if _NEWER_INSTANCE_TYPE.fullmatch(instance_type):
            return
        moto_validate(self, instance_type)

    FakeEndpointConfig.validate_instance_type = validate_instance_type  # type: ignore[method-assign]


def sagemaker_quota_code(name: str) -> str:
    """The emulator's code for a SageMaker quota (L- and 8 hex digits, as AWS's look; not AWS's own)."""
    return "L-" + hashlib.sha1(name.encode()).hexdigest()[:8].upper()


def _sagemaker_quota(backend: ServiceQuotasBackend, name: str, value: float) -> dict[str, Any]:
    code = sagemaker_quota_code(name)
    return {
        "ServiceCode": "sagemaker",
        "ServiceName": "Amazon SageMaker",
        "QuotaArn": f"arn:aws:servicequotas:{backend.region_name}:{backend.account_id}:sagemaker/{code}",
        "QuotaCode": code,
        "QuotaName": name,
        "Value": value,
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
    }


def _sagemaker_quota_name(code: str) -> str:
    for name in SAGEMAKER_DEFAULT_QUOTAS:
        if sagemaker_quota_code(name) == code:
            return name
    raise NoSuchResource


def _applied_quotas(backend: ServiceQuotasBackend) -> dict[str, float]:
    applied: dict[str, float] = backend.__dict__.setdefault("applied_sagemaker_quotas", {})
    return applied


def _sagemaker_service_quotas() -> None:
    moto_list = ServiceQuotasBackend.list_aws_default_service_quotas
    moto_get = ServiceQuotasBackend.get_service_quota

    def list_aws_default_service_quotas(self: ServiceQuotasBackend, service_code: str) -> list[dict[str, Any]]:
        if service_code != "sagemaker":
            return moto_list(self, service_code)
        return [_sagemaker_quota(self, name, value) for name, value in SAGEMAKER_DEFAULT_QUOTAS.items()]

    def get_service_quota(self: ServiceQuotasBackend, service_code: str, quota_code: str) -> dict[str, Any]:
        if service_code != "sagemaker":
            return moto_get(self, service_code, quota_code)
        name = _sagemaker_quota_name(quota_code)
        if name not in _applied_quotas(self):
            raise NoSuchResource  # nothing was ever requested: AWS has no applied value either
        return _sagemaker_quota(self, name, _applied_quotas(self)[name])

    def get_aws_default_service_quota(self: ServiceQuotasBackend, service_code: str, quota_code: str) -> dict[str, Any]:
        if service_code != "sagemaker":
            raise NoSuchResource
        name = _sagemaker_quota_name(quota_code)
        return _sagemaker_quota(self, name, SAGEMAKER_DEFAULT_QUOTAS[name])

    def request_service_quota_increase(
        self: ServiceQuotasBackend, service_code: str, quota_code: str, desired_value: float
    ) -> dict[str, Any]:
        if service_code != "sagemaker":
            raise NoSuchResource
        name = _sagemaker_quota_name(quota_code)
        _applied_quotas(self)[name] = desired_value
        now = time.time()
        quota = _sagemaker_quota(self, name, desired_value)
        return {
            "Id": uuid.uuid4().hex,
            **{key: quota[key] for key in ("ServiceCode", "ServiceName", "QuotaCode", "QuotaName", "QuotaArn", "Unit")},
            "DesiredValue": desired_value,
            "Status": "APPROVED",
            "Created": now,
            "LastUpdated": now,
            "GlobalQuota": False,
        }

    def get_aws_default_service_quota_response(self: ServiceQuotasResponse) -> str:
        params = json.loads(self.body)
        quota = self.backend.get_aws_default_service_quota(str(params.get("ServiceCode")), str(params.get("QuotaCode")))  # type: ignore[attr-defined]
        return json.dumps({"Quota": quota})

    def request_service_quota_increase_response(self: ServiceQuotasResponse) -> str:
        params = json.loads(self.body)
        requested = self.backend.request_service_quota_increase(  # type: ignore[attr-defined]
            str(params.get("ServiceCode")), str(params.get("QuotaCode")), float(params.get("DesiredValue"))
        )
        return json.dumps({"RequestedQuota": requested})

    ServiceQuotasBackend.list_aws_default_service_quotas = list_aws_default_service_quotas  # type: ignore[method-assign]
    ServiceQuotasBackend.get_service_quota = get_service_quota  # type: ignore[method-assign]
    ServiceQuotasBackend.get_aws_default_service_quota = get_aws_default_service_quota  # type: ignore[attr-defined]
    ServiceQuotasBackend.request_service_quota_increase = request_service_quota_increase  # type: ignore[attr-defined]
    ServiceQuotasResponse.get_aws_default_service_quota = get_aws_default_service_quota_response  # type: ignore[attr-defined]
    ServiceQuotasResponse.request_service_quota_increase = request_service_quota_increase_response  # type: ignore[attr-defined]


def _transform_job_needs_its_model() -> None:
    moto_create_transform_job = SageMakerModelBackend.create_transform_job

    def create_transform_job(self: SageMakerModelBackend, *args: Any, **kwargs: Any) -> Any:
        model_name = kwargs.get("model_name")
        if model_name not in self._models:
            arn = f"arn:aws:sagemaker:{self.region_name}:{self.account_id}:model/{model_name}"
            raise ValidationError(message=f'Could not find model "{arn}".')
        return moto_create_transform_job(self, *args, **kwargs)

    SageMakerModelBackend.create_transform_job = create_transform_job  # type: ignore[method-assign]


def _simulate_principal_policy() -> None:
    def simulate_principal_policy(self: IamResponse) -> ActionResult:
        backend: IAMBackend = self.backend
        role = backend.get_role_by_arn(self._get_param("PolicySourceArn"))
        documents = list(role.policies.values()) + [
            policy.versions[-1].document for policy in role.managed_policies.values() if policy.versions
        ]
        context = {
            entry["ContextKeyName"]: entry["ContextKeyValues"][0]
            for entry in (self._get_param("ContextEntries") or [])
            if entry.get("ContextKeyValues")
        }
        results = []
        for action in self._get_param("ActionNames") or []:
            for resource in self._get_param("ResourceArns") or ["*"]:
                decisions = [
                    IAMPolicy(document).is_action_permitted(action, resource, None, context) for document in documents
                ]
                decision = (
                    "explicitDeny"
                    if PermissionResult.DENIED in decisions
                    else "allowed"
                    if PermissionResult.PERMITTED in decisions
                    else "implicitDeny"
                )
                results.append({"EvalActionName": action, "EvalResourceName": resource, "EvalDecision": decision})
        return ActionResult({"EvaluationResults": results, "IsTruncated": False})

    IamResponse.simulate_principal_policy = simulate_principal_policy  # type: ignore[attr-defined]


def _string_like_conditions() -> None:
    # Named as moto's own operations' parameters, so it has their type.
    def string_like(expected_value: list[str] | str, actual_value: str) -> bool:
        patterns = [expected_value] if isinstance(expected_value, str) else expected_value
        return any(re.fullmatch(re.escape(p).replace(r"\*", ".*").replace(r"\?", "."), actual_value) for p in patterns)

    policy_conditions.CONDITION_OPERATIONS["StringLike"] = string_like


def _suspended_versioning_deletes_one_version() -> None:
    moto_delete_object = S3Backend.delete_object

    def delete_object(
        self: S3Backend, bucket_name: str, key_name: str, version_id: str | None = None, bypass: bool = False
    ) -> tuple[bool, dict[str, Any]]:
        bucket = self.get_bucket(bucket_name)
        if version_id is None or getattr(bucket, "versioning_status", None) != "Suspended":
            return moto_delete_object(self, bucket_name, key_name, version_id, bypass)
        if key_name not in bucket.keys:
            return False, {}
        versions = bucket.keys.getlist(key_name)
        doomed = next((v for v in versions if str(v.version_id) == str(version_id)), None)
        if isinstance(doomed, FakeKey) and doomed.is_locked(governance_bypass=bypass):
            raise AccessDeniedByLock
        kept = [v for v in versions if v is not doomed]
        if kept:
            bucket.keys.setlist(key_name, kept)
        else:
            dict.pop(bucket.keys, key_name)  # moto's pop would dispose of every version again, markers included
        if isinstance(doomed, FakeKey):
            doomed.dispose()
        answer = {"version-id": version_id}
        return True, {**answer, "delete-marker": "true"} if isinstance(doomed, FakeDeleteMarker) else answer

    S3Backend.delete_object = delete_object  # type: ignore[method-assign]
