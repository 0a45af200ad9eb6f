/**
 * What `npm run deploy` prints once the stack is up: the outputs a caller needs, and a curl line that works with
 * the stack's auth mode as deployed (a plain curl against an IAM- or JWT-protected API only gets 403 / 401).
 */

interface StackJson {
  resource?: { aws_apigatewayv2_route?: Record<string, { authorization_type?: string }> };
}

/** The routes' auth mode as synthesized: "none", "iam" or "jwt". */
export function deployedAuthMode(stackJson: StackJson): "none" | "iam" | "jwt" {
  const types = Object.values(stackJson.resource?.aws_apigatewayv2_route ?? {}).map((r) => r.authorization_type);
  if (types.includes("AWS_IAM")) return "iam";
  if (types.includes("JWT")) return "jwt";
  return "none";
}

/** The region of an execute-api URL (https://<id>.execute-api.<region>.amazonaws.com/...). */
export function apiRegion(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];
}

export function deployedSummary(outputs: Record<string, { value: unknown }>, stackJson: StackJson): string[] {
  const shown = ["classify_url", "embed_url", "endpoint_name", "model_artifact_uri"].filter((name) => outputs[name] !== undefined);
  const width = Math.max(...shown.map((name) => name.length));
  const lines = ["", "Deployed. Outputs (again any time: npm run outputs):"];
  for (const name of shown) lines.push(`  ${name.padEnd(width)}  ${String(outputs[name].value)}`);
  const url = outputs.classify_url ? String(outputs.classify_url.value) : undefined;
  if (!url) return lines;
  const image = "--data-binary @photo.jpg -H 'Content-Type: image/jpeg'";
  const mode = deployedAuthMode(stackJson);
  lines.push("", "Classify a photo of yours (photo.jpg: any JPEG, PNG, WebP, GIF or BMP up to the documented size):");
  if (mode === "none") lines.push(`  curl ${image} '${url}'`);
  if (mode === "iam") {
    lines.push(
      `  curl --aws-sigv4 'aws:amz:${apiRegion(url) ?? "<region>"}:execute-api' --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \\`,
      `    -H "x-amz-security-token: $AWS_SESSION_TOKEN" ${image} '${url}'`,
      "  (auth.mode iam: the caller needs execute-api:Invoke on the route_invoke_arns output; docs/configuration.md)",
    );
  }
  if (mode === "jwt") {
    lines.push(
      `  curl -H "Authorization: Bearer $TOKEN" ${image} '${url}'`,
      "  (auth.mode jwt: a token from your issuer, docs/configuration.md#calling-the-api-per-auth-mode)",
    );
  }
  lines.push("The endpoint bills by the hour while it exists: `npm run destroy` removes the stack (docs/deploy.md).");
  return lines;
}
