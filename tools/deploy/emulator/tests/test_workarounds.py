"""
Each workaround in workarounds.py: it works on the patched emulator, and plain moto still has the gap it
closes (when a moto upgrade fixes one, its `still_has_gap` test fails: delete that patch).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from conftest import client
from workarounds import FAILS_HEALTH_CHECK_ENV

TLS_ONLY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": ["s3:*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def role_arn(url: str, name: str) -> str:
    """A role ARN in the emulator's own account (asked, not written down: moto has a fixed test account)."""
    account = client("sts", url).get_caller_identity()["Account"]
    return f"arn:aws:iam::{account}:role/{name}"


def bucket_with_policy(url: str, *statements: dict) -> str:
    s3 = client("s3", url)
    bucket = f"wa-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    resources = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    policy = {"Version": "2012-10-17", "Statement": [{"Resource": resources, **s} for s in statements]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    return bucket


# 1. Conditions that do not match make a statement not apply.


def test_tls_only_bucket_policy_lets_put_and_get_through(patched_url: str) -> None:
    s3 = client("s3", patched_url)
    bucket = bucket_with_policy(patched_url, TLS_ONLY)
    s3.put_object(Bucket=bucket, Key="models/a/model.tar.gz", Body=b"tarball")
    assert s3.get_object(Bucket=bucket, Key="models/a/model.tar.gz")["Body"].read() == b"tarball"


def test_a_deny_without_condition_still_denies(patched_url: str) -> None:
    s3 = client("s3", patched_url)
    bucket = bucket_with_policy(
        patched_url,
        TLS_ONLY,
        {"Sid": "NoWrites", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["s3:PutObject"]},
    )
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket=bucket, Key="x", Body=b"x")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_if_exists_condition_on_an_absent_key_still_denies(patched_url: str) -> None:
    s3 = client("s3", patched_url)
    if_exists = {**TLS_ONLY, "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}
    bucket = bucket_with_policy(patched_url, if_exists)
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket=bucket, Key="x", Body=b"x")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_plain_moto_still_has_gap_1_conditions_deny(plain_moto_url: str) -> None:
    s3 = client("s3", plain_moto_url)
    bucket = bucket_with_policy(plain_moto_url, TLS_ONLY)
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket=bucket, Key="x", Body=b"x")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403, "moto fixed gap 1: delete workaround 1"


# 2. UpdateEndpoint, healthy and failing health checks.


def endpoint_with_configs(url: str, failing: bool) -> tuple[str, str, str]:
    """An endpoint on config c1, plus config c2 (whose model fails its health check when `failing`)."""
    sm = client("sagemaker", url)
    suffix = uuid.uuid4().hex[:8]
    for name, env in ((f"m1-{suffix}", {}), (f"m2-{suffix}", {FAILS_HEALTH_CHECK_ENV: "true"} if failing else {})):
        sm.create_model(
            ModelName=name,
            ExecutionRoleArn=role_arn(url, "sagemaker"),
            PrimaryContainer={"Image": "image:latest", "ModelDataUrl": "s3://b/model.tar.gz", "Environment": env},
        )
    for config, model, count in ((f"c1-{suffix}", f"m1-{suffix}", 1), (f"c2-{suffix}", f"m2-{suffix}", 2)):
        sm.create_endpoint_config(
            EndpointConfigName=config,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": model,
                    "InstanceType": "ml.m5.xlarge",
                    "InitialInstanceCount": count,
                }
            ],
        )
    sm.create_endpoint(EndpointName=f"e-{suffix}", EndpointConfigName=f"c1-{suffix}")
    return f"e-{suffix}", f"c1-{suffix}", f"c2-{suffix}"


def test_update_endpoint_switches_to_the_new_configuration(patched_url: str) -> None:
    sm = client("sagemaker", patched_url)
    endpoint, _, new_config = endpoint_with_configs(patched_url, failing=False)
    sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=new_config)
    described = sm.describe_endpoint(EndpointName=endpoint)
    assert (described["EndpointConfigName"], described["EndpointStatus"]) == (new_config, "InService")
    assert described["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    assert "FailureReason" not in described


def test_update_to_a_model_failing_health_checks_rolls_back(patched_url: str) -> None:
    sm = client("sagemaker", patched_url)
    endpoint, old_config, new_config = endpoint_with_configs(patched_url, failing=True)
    sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=new_config)
    described = sm.describe_endpoint(EndpointName=endpoint)
    assert (described["EndpointConfigName"], described["EndpointStatus"]) == (old_config, "InService")
    assert described["ProductionVariants"][0]["CurrentInstanceCount"] == 1
    assert "rolled back" in described["FailureReason"]


def test_update_endpoint_to_a_missing_configuration_is_a_validation_error(patched_url: str) -> None:
    sm = client("sagemaker", patched_url)
    endpoint, _, _ = endpoint_with_configs(patched_url, failing=False)
    with pytest.raises(ClientError) as error:
        sm.update_endpoint(EndpointName=endpoint, EndpointConfigName="does-not-exist")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_plain_moto_still_has_gap_2_no_update_endpoint(plain_moto_url: str) -> None:
    sm = client("sagemaker", plain_moto_url)
    endpoint, _, new_config = endpoint_with_configs(plain_moto_url, failing=False)
    with pytest.raises(ClientError) as error:
        sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=new_config)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500, (
        "moto implements UpdateEndpoint: delete workaround 2"
    )


# 3. CreateModel keeps EnableNetworkIsolation.


@pytest.mark.parametrize("isolated", [True, False])
def test_create_model_keeps_network_isolation(patched_url: str, isolated: bool) -> None:
    sm = client("sagemaker", patched_url)
    name = f"iso-{uuid.uuid4().hex[:8]}"
    sm.create_model(
        ModelName=name,
        ExecutionRoleArn=role_arn(patched_url, "r"),
        PrimaryContainer={"Image": "i"},
        EnableNetworkIsolation=isolated,
    )
    assert sm.describe_model(ModelName=name)["EnableNetworkIsolation"] is isolated


def test_plain_moto_still_has_gap_3_isolation_dropped(plain_moto_url: str) -> None:
    sm = client("sagemaker", plain_moto_url)
    name = f"iso-{uuid.uuid4().hex[:8]}"
    sm.create_model(
        ModelName=name,
        ExecutionRoleArn=role_arn(plain_moto_url, "r"),
        PrimaryContainer={"Image": "i"},
        EnableNetworkIsolation=True,
    )
    assert sm.describe_model(ModelName=name)["EnableNetworkIsolation"] is False, (
        "moto keeps EnableNetworkIsolation: delete workaround 3"
    )


# 4. Newer instance families.


def create_config(url: str, instance_type: str) -> None:
    sm = client("sagemaker", url)
    suffix = uuid.uuid4().hex[:8]
    sm.create_model(ModelName=f"m-{suffix}", ExecutionRoleArn=role_arn(url, "r"), PrimaryContainer={"Image": "i"})
    sm.create_endpoint_config(
        EndpointConfigName=f"c-{suffix}",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"m-{suffix}",
                "InstanceType": instance_type,
                "InitialInstanceCount": 1,
            }
        ],
    )


@pytest.mark.parametrize(
    "instance_type", ["ml.c7i.xlarge", "ml.m7i.2xlarge", "ml.c6i.large", "ml.g6e.12xlarge", "ml.m5.xlarge"]
)
def test_endpoint_configs_accept_current_instance_families(patched_url: str, instance_type: str) -> None:
    create_config(patched_url, instance_type)


@pytest.mark.parametrize("instance_type", ["ml.c7i.huge", "ml.z9.xlarge", "c7i.xlarge"])
def test_unknown_instance_types_are_still_refused(patched_url: str, instance_type: str) -> None:
    with pytest.raises(ClientError) as error:
        create_config(patched_url, instance_type)
    assert "failed to satisfy constraint" in str(error.value)


def test_plain_moto_still_has_gap_4_no_c7i(plain_moto_url: str) -> None:
    with pytest.raises(ClientError) as error:
        create_config(plain_moto_url, "ml.c7i.xlarge")
    assert "failed to satisfy constraint" in str(error.value), "moto knows ml.c7i: delete workaround 4"


# 5. Service Quotas for SageMaker.


def sagemaker_quota(url: str, name: str) -> dict:
    quotas = client("service-quotas", url).list_aws_default_service_quotas(ServiceCode="sagemaker")["Quotas"]
    return next(q for q in quotas if q["QuotaName"] == name)


def test_sagemaker_lists_an_endpoint_quota_per_instance_type_and_the_account_wide_ones(patched_url: str) -> None:
    names = {
        q["QuotaName"]
        for q in client("service-quotas", patched_url).list_aws_default_service_quotas(ServiceCode="sagemaker")[
            "Quotas"
        ]
    }
    assert {"ml.c7i.xlarge for endpoint usage", "ml.m5.xlarge for endpoint usage"} <= names
    assert "Number of instances across active endpoints" in names
    assert "ml.c7i.huge for endpoint usage" not in names


def test_an_unchanged_quota_has_no_applied_value_only_the_aws_default(patched_url: str) -> None:
    sq = client("service-quotas", patched_url)
    quota = sagemaker_quota(patched_url, "ml.c6i.2xlarge for endpoint usage")
    with pytest.raises(ClientError) as error:
        sq.get_service_quota(ServiceCode="sagemaker", QuotaCode=quota["QuotaCode"])
    assert error.value.response["Error"]["Code"] == "NoSuchResourceException"
    default = sq.get_aws_default_service_quota(ServiceCode="sagemaker", QuotaCode=quota["QuotaCode"])["Quota"]
    assert (default["QuotaName"], default["Value"]) == ("ml.c6i.2xlarge for endpoint usage", 0.0)


def test_a_requested_increase_becomes_the_applied_value(patched_url: str) -> None:
    sq = client("service-quotas", patched_url)
    code = sagemaker_quota(patched_url, "ml.m7i.xlarge for endpoint usage")["QuotaCode"]
    requested = sq.request_service_quota_increase(ServiceCode="sagemaker", QuotaCode=code, DesiredValue=3)
    assert requested["RequestedQuota"]["Status"] == "APPROVED"
    assert sq.get_service_quota(ServiceCode="sagemaker", QuotaCode=code)["Quota"]["Value"] == 3.0


def test_unknown_quota_codes_and_other_services_are_still_refused(patched_url: str) -> None:
    sq = client("service-quotas", patched_url)
    with pytest.raises(ClientError) as unknown:
        sq.get_aws_default_service_quota(ServiceCode="sagemaker", QuotaCode="L-00000000")
    assert unknown.value.response["Error"]["Code"] == "NoSuchResourceException"
    assert sq.get_service_quota(ServiceCode="vpc", QuotaCode="L-7E9ECCDB")["Quota"]["Value"] == 50.0


def test_plain_moto_still_has_gap_5_no_sagemaker_quotas(plain_moto_url: str) -> None:
    sq = client("service-quotas", plain_moto_url)
    with pytest.raises(ClientError) as listed:
        sq.list_aws_default_service_quotas(ServiceCode="sagemaker")
    assert listed.value.response["Error"]["Code"] == "NoSuchResourceException", (
        "moto lists SageMaker quotas: delete workaround 5"
    )
    with pytest.raises(ClientError) as requested:
        sq.request_service_quota_increase(ServiceCode="sagemaker", QuotaCode="L-00000000", DesiredValue=1)
    assert requested.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500, (
        "moto implements RequestServiceQuotaIncrease: revisit workaround 5"
    )


# 6. CreateTransformJob needs its model.


def transform_job(url: str, model_name: str) -> dict:
    return client("sagemaker", url).create_transform_job(
        TransformJobName=f"job-{uuid.uuid4().hex[:8]}",
        ModelName=model_name,
        Environment={"INFERENCE_TASK": "embed"},
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "ManifestFile", "S3Uri": "s3://out/runs/1/manifest.json"}}
        },
        TransformOutput={"S3OutputPath": "s3://out/runs/1/out/"},
        TransformResources={"InstanceType": "ml.c5.xlarge", "InstanceCount": 1},
    )


def test_a_transform_job_on_an_existing_model_is_created(patched_url: str) -> None:
    sm = client("sagemaker", patched_url)
    model = f"tm-{uuid.uuid4().hex[:8]}"
    sm.create_model(ModelName=model, ExecutionRoleArn=role_arn(patched_url, "r"), PrimaryContainer={"Image": "i"})
    name = transform_job(patched_url, model)["TransformJobArn"].rsplit("/", 1)[1]
    assert sm.describe_transform_job(TransformJobName=name)["ModelName"] == model


def test_a_transform_job_on_a_missing_model_is_refused(patched_url: str) -> None:
    with pytest.raises(ClientError) as error:
        transform_job(patched_url, "no-such-model")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert 'Could not find model "arn:aws:sagemaker:' in error.value.response["Error"]["Message"]


def test_plain_moto_still_has_gap_6_transform_job_without_model(plain_moto_url: str) -> None:
    assert transform_job(plain_moto_url, "no-such-model")["TransformJobArn"], (
        "moto checks the model: delete workaround 6"
    )


# 7. and 8. SimulatePrincipalPolicy; StringLike conditions; conditions that do not match do not deny.

SOURCE_GRANTS: list[dict[str, Any]] = [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::src/images/*"]},
    {
        "Sid": "List",
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": ["arn:aws:s3:::src"],
        "Condition": {"StringLike": {"s3:prefix": ["images/*"]}},
    },
]


def role_with(url: str, statements: list[dict]) -> str:
    iam = client("iam", url)
    name = f"sim-{uuid.uuid4().hex[:8]}"
    arn = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )
    return arn


def decision(url: str, role: str, action: str, resource: str, prefix: str | None = None) -> str:
    context = (
        [{"ContextKeyName": "s3:prefix", "ContextKeyValues": [prefix], "ContextKeyType": "string"}]
        if prefix is not None
        else []
    )
    result = client("iam", url).simulate_principal_policy(
        PolicySourceArn=role, ActionNames=[action], ResourceArns=[resource], ContextEntries=context
    )
    return result["EvaluationResults"][0]["EvalDecision"]


@pytest.mark.parametrize(
    ("action", "resource", "prefix", "expected"),
    [
        ("s3:GetObject", "arn:aws:s3:::src/images/a/b.jpg", None, "allowed"),
        ("s3:GetObject", "arn:aws:s3:::src/other/b.jpg", None, "implicitDeny"),
        ("s3:PutObject", "arn:aws:s3:::src/images/b.jpg", None, "implicitDeny"),
        ("s3:ListBucket", "arn:aws:s3:::src", "images/", "allowed"),
        ("s3:ListBucket", "arn:aws:s3:::src", "other/", "implicitDeny"),
        ("s3:ListBucket", "arn:aws:s3:::src", None, "implicitDeny"),
    ],
)
def test_simulate_principal_policy_answers_as_iam_does(
    patched_url: str, action: str, resource: str, prefix, expected: str
) -> None:
    assert decision(patched_url, role_with(patched_url, SOURCE_GRANTS), action, resource, prefix) == expected


def test_an_explicit_deny_wins(patched_url: str) -> None:
    deny = {"Sid": "No", "Effect": "Deny", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::src/images/secret/*"]}
    role = role_with(patched_url, [*SOURCE_GRANTS, deny])
    assert decision(patched_url, role, "s3:GetObject", "arn:aws:s3:::src/images/secret/x.jpg") == "explicitDeny"


def test_plain_moto_still_has_gap_7_no_simulate_principal_policy(plain_moto_url: str) -> None:
    role = role_with(plain_moto_url, SOURCE_GRANTS)
    # moto answers "not implemented" with a body botocore cannot even parse as an AWS error.
    with pytest.raises((ClientError, ResponseParserError)):
        decision(plain_moto_url, role, "s3:GetObject", "arn:aws:s3:::src/images/a.jpg")


def test_plain_moto_still_has_gap_8_no_string_like() -> None:
    # This test process never applies the workarounds: moto's own operator table.
    from moto.iam.policy_conditions import CONDITION_OPERATIONS

    assert "StringLike" not in CONDITION_OPERATIONS, "moto evaluates StringLike: delete workaround 8"


# 9. A versioned delete in a bucket whose versioning is suspended removes that one version.


def suspended_bucket_with_history(url: str) -> str:
    """Two versions of one key and a delete marker on another, then versioning suspended: what `terraform destroy`
    leaves for force_destroy to empty once the bucket's versioning resource is gone."""
    s3 = client("s3", url)
    bucket = f"wa-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="runs/a/manifest.jsonl", Body=b"first")
    s3.put_object(Bucket=bucket, Key="runs/a/manifest.jsonl", Body=b"second")
    s3.put_object(Bucket=bucket, Key="runs/a/result.out", Body=b"out")
    s3.delete_object(Bucket=bucket, Key="runs/a/result.out")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    return bucket


def every_version(s3: Any, bucket: str) -> list[dict[str, str]]:
    listing = s3.list_object_versions(Bucket=bucket)
    return [
        {"Key": entry["Key"], "VersionId": entry["VersionId"]}
        for entry in listing.get("Versions", []) + listing.get("DeleteMarkers", [])
    ]


def test_emptying_a_suspended_bucket_version_by_version_deletes_everything(patched_url: str) -> None:
    s3 = client("s3", patched_url)
    bucket = suspended_bucket_with_history(patched_url)
    versions = every_version(s3, bucket)
    assert len(versions) == 4

    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": versions, "Quiet": False})

    assert answer.get("Errors", []) == []
    assert every_version(s3, bucket) == []
    s3.delete_bucket(Bucket=bucket)


def test_deleting_one_version_of_a_suspended_bucket_keeps_the_others(patched_url: str) -> None:
    s3 = client("s3", patched_url)
    bucket = suspended_bucket_with_history(patched_url)
    listing = s3.list_object_versions(Bucket=bucket, Prefix="runs/a/manifest.jsonl")
    oldest = next(v for v in listing["Versions"] if not v["IsLatest"])

    s3.delete_object(Bucket=bucket, Key="runs/a/manifest.jsonl", VersionId=oldest["VersionId"])

    assert s3.get_object(Bucket=bucket, Key="runs/a/manifest.jsonl")["Body"].read() == b"second"
    remaining = s3.list_object_versions(Bucket=bucket, Prefix="runs/a/manifest.jsonl")["Versions"]
    assert len(remaining) == 1
    assert remaining[0]["VersionId"] != oldest["VersionId"]


def test_plain_moto_still_has_gap_9_suspended_bucket_deletes_fail(plain_moto_url: str) -> None:
    s3 = client("s3", plain_moto_url)
    bucket = suspended_bucket_with_history(plain_moto_url)
    markers = [v for v in every_version(s3, bucket) if v["Key"] == "runs/a/result.out"]

    with pytest.raises(ClientError, match=r"InternalError|500"):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": markers, "Quiet": False})
