/**
 * The bundle harness (testing/invoke-bundle.ts) hands the handler the same Lambda context as the local API's runtime
 * (local/lambda-runtime.ts): a handler that reads context.logStreamName, as Powertools' logger can, must see the
 * same fields whichever of the two runs it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalLambdaFunction } from "../../local/lambda-runtime";
import { invokeBundle } from "../../testing/invoke-bundle";

jest.setTimeout(60_000);

const CONTEXT_ECHO = `
exports.handler = async (event, context) => ({
  statusCode: 200,
  body: JSON.stringify(
    Object.fromEntries(Object.entries(context).map(([key, value]) => [key, typeof value === "function" ? "function" : typeof value])),
  ),
});
`;

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "invoke-bundle-test-"));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

it("gives the handler the context fields the local runtime gives it, log stream included", async () => {
  // Prepare
  const bundleFile = path.join(work, "echo.js");
  fs.writeFileSync(bundleFile, CONTEXT_ECHO);
  const runtime = new LocalLambdaFunction({
    bundleFile,
    functionName: "classifier",
    timeoutSeconds: 10,
    memoryMb: 512,
    region: "us-east-1",
  });

  // Act
  const local = await runtime.invoke({});
  await runtime.close();
  const harness = await invokeBundle({ bundleFile, events: [{}], env: { AWS_REGION: "us-east-1" } });

  // Assess
  if (local.kind !== "result") throw new Error(`local runtime: ${local.kind}`);
  const localFields = JSON.parse((local.value as { body: string }).body) as Record<string, string>;
  const harnessFields = JSON.parse(harness.results[0].body) as Record<string, string>;
  expect(localFields.logStreamName).toBe("string");
  expect(harnessFields).toEqual(localFields);
});
