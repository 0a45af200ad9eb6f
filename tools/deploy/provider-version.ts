/** The hashicorp/aws version the prebuilt bindings (@cdktf/provider-aws) pin: what every synthesized stack requires. */
import * as os from "os";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { requiredAwsProviderVersion } from "./terraform-setup";

export function pinnedAwsProviderVersion(): string {
  const stack = new TerraformStack(new App({ outdir: os.tmpdir(), skipValidation: true }), "provider-version");
  new AwsProvider(stack, "aws", {});
  return requiredAwsProviderVersion(stack.toTerraform() as Parameters<typeof requiredAwsProviderVersion>[0]);
}
