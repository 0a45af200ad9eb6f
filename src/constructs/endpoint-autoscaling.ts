/**
 * EndpointAutoscaling: Application Auto Scaling for a real-time variant's instance count.
 *
 * Creates: aws_appautoscaling_target (sagemaker:variant:DesiredInstanceCount, min..max) and a
 * target-tracking aws_appautoscaling_policy on SageMakerVariantInvocationsPerInstance (invocations
 * per instance per minute). Scale-in is slower than scale-out: a model instance takes minutes to start.
 */
import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";

export interface EndpointAutoscalingProps {
  /** Endpoint name (a reference, so scaling is registered after the endpoint exists). */
  readonly endpointName: string;
  readonly variantName: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** Target invocations per instance per minute. */
  readonly targetInvocationsPerInstance: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
}

export class EndpointAutoscaling extends Construct {
  public readonly target: AppautoscalingTarget;
  public readonly policy: AppautoscalingPolicy;

  constructor(scope: Construct, id: string, props: EndpointAutoscalingProps) {
    super(scope, id);
    const { scaleInCooldownSeconds, scaleOutCooldownSeconds } = props;
    this.target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: "sagemaker",
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      resourceId: `endpoint/${props.endpointName}/variant/${props.variantName}`,
      minCapacity: props.minInstances,
      maxCapacity: props.maxInstances,
    });
    this.policy = new AppautoscalingPolicy(this, "invocations-per-instance", {
      name: "invocations-per-instance",
      policyType: "TargetTrackingScaling",
      serviceNamespace: this.target.serviceNamespace,
      scalableDimension: this.target.scalableDimension,
      resourceId: this.target.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.targetInvocationsPerInstance,
        predefinedMetricSpecification: { predefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
        scaleInCooldown: scaleInCooldownSeconds,
        scaleOutCooldown: scaleOutCooldownSeconds,
      },
    });
  }
}
