/**
 * The rehearsal's second copy of the stack: the example config exactly as a new user deploys it, from a second
 * checkout (its own cdktf project and state) into another region of the same emulator account, while the first copy
 * (the default config, which the main scenario deployed) keeps running. Both must be what their stacks asked for;
 * enabling CORS on the second is an in-place update read back from the emulator; destroying the second leaves the
 * first whole. The first copy is destroyed by the main scenario's last step.
 */
import * as fs from "fs";
import { GetApiCommand } from "@aws-sdk/client-apigatewayv2";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { CheckResult } from "./deployed-stack-checks";
import { unexplainedChanges } from "./emulator-fidelity";
import { changeKind, managedChanges } from "./plan-json";
import { reviewPlan } from "./plan-review";
import { Rehearsal, stackNames } from "./rehearsal";
import type { ScenarioReport, Step } from "./rehearsal-scenario";

/** Another region than the first copy's (the emulator's default, us-east-1). */
export const SECOND_COPY_REGION = "eu-west-1";
export const EXAMPLE_CONFIG = path.join(REPO_ROOT, "classifier.config.example.json");
/** The origin the CORS step allows. */
export const CORS_ORIGIN = "https://app.example.com";

export interface SecondCopyContext {
  /** The main scenario's checkout, running the first copy. */
  readonly first: Rehearsal;
  /** The config the first copy runs now (checked again while the second one comes and goes). */
  readonly firstConfig: string;
  readonly plans: ScenarioReport["plans"];
}

export function secondCopySteps({ first, firstConfig, plans }: SecondCopyContext): Step[] {
  const example = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, "utf8")) as Record<string, unknown>;
  const second = first.anotherCheckout("second-checkout", SECOND_COPY_REGION, stackNames(example, REPO_ROOT));
  // The example with CORS on: written into the second checkout, so its tarball path is made absolute first.
  const withCors = second.config("example-cors", {
    ...example,
    modelArtifact: { path: path.join(REPO_ROOT, String((example.modelArtifact as { path: string }).path)) },
    api: { ...(example.api as object), cors: { allowOrigins: [CORS_ORIGIN] } },
  });

  return [
    [
      `a second copy: the example config as it is, from another checkout, in ${SECOND_COPY_REGION} (cdktf deploy)`,
      async () => (await second.deploy(EXAMPLE_CONFIG), []),
    ],
    [
      "both copies are what their stacks asked for, side by side in one account",
      async () => [
        ...failed("second copy", await second.checkDeployed(EXAMPLE_CONFIG)),
        ...failed("first copy", await first.checkDeployed(firstConfig)),
      ],
    ],
    [
      "enabling CORS is an in-place update of the HTTP API, read back from the emulator",
      async () => {
        const plan = await second.plan(withCors);
        plans.cors = { plan, review: reviewPlan(plan) };
        const api = managedChanges(plan).find((rc) => rc.type === "aws_apigatewayv2_api");
        const problems = unexplainedChanges(plan)
          .filter((c) => !(c.address === api?.address && c.cause === "cors_configuration"))
          .map((c) => `${c.address}: ${c.cause} would change as well`);
        if (api === undefined || changeKind(api.change.actions) !== "update") problems.push("the plan does not update the API in place");
        if (plans.cors.review.destructive) problems.push("the review calls enabling CORS destructive");
        // Only the API: the rest of the plan is the emulator's read-back differences (emulator-fidelity.ts), and
        // applying them would replace the model under its own name, which moto overwrites and then deletes.
        await second.applyTargets([api!.address]);
        const apiId = String((await second.state()).only("aws_apigatewayv2_api").values.id);
        const live = await second.clients.apigateway.send(new GetApiCommand({ ApiId: apiId }));
        if (live.CorsConfiguration?.AllowOrigins?.join() !== CORS_ORIGIN)
          problems.push(`the API's CORS configuration reads back as ${JSON.stringify(live.CorsConfiguration)}`);
        // ...and the whole stack, CORS included, is what it asked for.
        return [...problems, ...failed("second copy", await second.checkDeployed(withCors))];
      },
    ],
    [
      "destroying the second copy leaves nothing of it and the first copy whole",
      async () => {
        await second.destroy(withCors);
        const problems = [
          ...(await second.stateList()).map((a) => `still in the second copy's state: ${a}`),
          ...(await second.leftovers()).map((l) => `still in the account: ${l}`),
          ...failed("first copy", await first.checkDeployed(firstConfig)),
        ];
        await second.stop();
        return problems;
      },
    ],
  ];
}

function failed(copy: string, checks: CheckResult[]): string[] {
  return checks.filter((c) => !c.ok).map((c) => `${copy}: ${c.name}: ${c.detail}`);
}
