import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EndpointAutoscaling } from "../../src/constructs/endpoint-autoscaling";
import { only } from "./helpers";

describe("Construct: EndpointAutoscaling", () => {
  const text = Testing.synthScope((scope) => {
    new EndpointAutoscaling(scope, "autoscaling", {
      endpointName: "vit-classifier",
      variantName: "AllTraffic",
      minInstances: 1,
      maxInstances: 4,
      targetInvocationsPerInstance: 120,
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
    });
  });
  const json = JSON.parse(text);

  it("registers the variant's instance count as a scalable target", () => {
    expect(text).toHaveResourceWithProperties(AppautoscalingTarget, {
      service_namespace: "sagemaker",
      scalable_dimension: "sagemaker:variant:DesiredInstanceCount",
      resource_id: "endpoint/vit-classifier/variant/AllTraffic",
      min_capacity: 1,
      max_capacity: 4,
    });
  });

  it("tracks SageMakerVariantInvocationsPerInstance on that target, scaling in slower than out", () => {
    // Prepare
    const target = only(json, "aws_appautoscaling_target").ref;
    // Assess
    expect(text).toHaveResourceWithProperties(AppautoscalingPolicy, {
      policy_type: "TargetTrackingScaling",
      resource_id: `\${${target}.resource_id}`,
      scalable_dimension: `\${${target}.scalable_dimension}`,
      service_namespace: `\${${target}.service_namespace}`,
      target_tracking_scaling_policy_configuration: {
        target_value: 120,
        predefined_metric_specification: { predefined_metric_type: "SageMakerVariantInvocationsPerInstance" },
        scale_in_cooldown: 300,
        scale_out_cooldown: 60,
      },
    });
  });
});
