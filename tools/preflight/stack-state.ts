/**
 * This stack's Terraform state, read-only: where the synthesized stack keeps it (its backend block: a local file, or
 * an object in the S3 backend's bucket) and which names its resources carry. A name in the state is this stack's
 * own; the same name existing outside it belongs to someone else (or to a leftover of an earlier deploy).
 */
import * as fs from "fs";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { errorName } from "./aws-errors";
import { SynthesizedStack } from "./synthesized-stack";

export type StateLocation =
  | { readonly kind: "local"; readonly path: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly key: string; readonly region: string };

/** Terraform's state file (format version 4), the parts read here. */
export interface StateJson {
  readonly resources?: readonly {
    readonly mode?: string;
    readonly type?: string;
    readonly instances?: readonly { readonly attributes?: Readonly<Record<string, unknown>> }[];
  }[];
}

export function stateLocation(stack: SynthesizedStack): StateLocation | undefined {
  const backend = stack.terraform?.backend ?? {};
  if (backend.s3) {
    const { bucket, key, region } = backend.s3 as Record<string, string>;
    return { kind: "s3", bucket, key, region };
  }
  if (backend.local) return { kind: "local", path: String(backend.local.path) };
  return undefined;
}

export function describeStateLocation(location: StateLocation): string {
  return location.kind === "local" ? location.path : `s3://${location.bucket}/${location.key}`;
}

/** The state, or undefined when there is none yet (nothing deployed). Throws when it cannot be read. */
export async function readState(location: StateLocation, s3: (region: string) => S3Client): Promise<StateJson | undefined> {
  if (location.kind === "local") {
    return fs.existsSync(location.path) ? (JSON.parse(fs.readFileSync(location.path, "utf8")) as StateJson) : undefined;
  }
  try {
    const answer = await s3(location.region).send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return JSON.parse((await answer.Body?.transformToString()) ?? "{}") as StateJson;
  } catch (error) {
    if (errorName(error) === "NoSuchKey") return undefined;
    throw error;
  }
}

/** `type:name` of every managed resource in the state whose type has a name attribute in `nameAttributes`. */
export function namesInState(state: StateJson | undefined, nameAttributes: Readonly<Record<string, string>>): Set<string> {
  const names = new Set<string>();
  for (const resource of state?.resources ?? []) {
    const attribute = resource.type ? nameAttributes[resource.type] : undefined;
    if (resource.mode !== "managed" || !attribute) continue;
    for (const instance of resource.instances ?? []) {
      const name = instance.attributes?.[attribute];
      if (typeof name === "string") names.add(`${resource.type}:${name}`);
    }
  }
  return names;
}
