/**
 * Typed IAM policy documents, rendered with JSON.stringify. Terraform references inside (e.g.
 * "${aws_s3_object.x.arn}") stay as strings and are resolved at plan time, so tests can assert
 * the exact ARN expressions each statement grants.
 */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string[];
  readonly Resource: string[];
  readonly Principal?: Record<string, string | string[]>;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export function policyDocument(statements: PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy letting exactly one AWS service assume the role. */
export function assumeRolePolicy(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "TrustService", Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}
