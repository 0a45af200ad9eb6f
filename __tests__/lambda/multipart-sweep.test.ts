/**
 * A multipart body cut at every byte offset, and a few malformed variants, through the real handler (mocked SDK):
 * each must get a documented answer (400 invalid_multipart / empty_body, or 200 when the cut only lost bytes
 * after the file's closing boundary) and leave no uncaught exception or unhandled rejection in the process.
 * A busboy file stream destroyed with "Unexpected end of form" and no "error" listener used to crash the process.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { handler } from "../../lambda/handler";
import { binaryEvent, bodyOf, curlMultipart, JPEG, lambdaContext, PNG_1X1 } from "./fixtures";
import { captureLogs, CapturedLogs } from "./logs";
import { ProcessFaults, watchProcessFaults } from "./process-faults";

const sagemaker = mockClient(SageMakerRuntimeClient);
const PREDICTIONS = { predictions: [{ label: "a", score: 0.9 }] };
let logs: CapturedLogs;
let faults: ProcessFaults;

beforeEach(() => {
  sagemaker.reset();
  sagemaker.on(InvokeEndpointCommand).resolves({ Body: new TextEncoder().encode(JSON.stringify(PREDICTIONS)) as any });
  process.env.SAGEMAKER_ENDPOINT_NAME = "test-endpoint";
  process.env.AWS_REGION = "eu-west-1";
  logs = captureLogs();
  faults = watchProcessFaults();
});
afterEach(() => {
  faults.restore();
  logs.restore();
});

type Outcome = { status: number; code?: string; sent?: Buffer };

async function send(body: Buffer, contentType: string): Promise<Outcome> {
  sagemaker.resetHistory();
  const result = await handler(binaryEvent("http-api-v2", body, contentType) as any, lambdaContext());
  const calls = sagemaker.commandCalls(InvokeEndpointCommand);
  const sent = calls.length > 0 ? Buffer.from(calls[0].args[0].input.Body as Uint8Array) : undefined;
  return { status: result.statusCode, code: result.statusCode === 200 ? undefined : bodyOf(result).error.code, sent };
}

/** The answers a damaged multipart body may get: a 400 naming the problem, or the whole, intact image. */
function expectDocumented(outcome: Outcome, image: Buffer, where: string): void {
  if (outcome.status === 200) {
    if (!outcome.sent?.equals(image)) throw new Error(`${where}: a damaged image was sent to the endpoint`);
    return;
  }
  expect({ where, status: outcome.status, code: outcome.code }).toEqual({
    where,
    status: 400,
    code: expect.stringMatching(/^(invalid_multipart|empty_body)$/),
  });
}

it.each([
  ["a JPEG as curl -F sends it", JPEG],
  ["a PNG", PNG_1X1],
])("answers every cut of %s with a documented 4xx (or the intact image) and no process fault", async (_name, image) => {
  // Prepare
  const form = curlMultipart(image);
  const statuses = new Map<string, number>();

  // Act
  for (let cut = 0; cut <= form.body.length; cut += 1) {
    const outcome = await send(form.body.subarray(0, cut), form.contentType);
    await faults.settle();
    // Assess (per offset, so a failure names it)
    expectDocumented(outcome, image, `cut at byte ${cut} of ${form.body.length}`);
    expect({ cut, faults: faults.seen() }).toEqual({ cut, faults: [] });
    const key = `${outcome.status} ${outcome.code ?? ""}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
  }

  // Assess: the whole body works, and cuts inside the file data were really exercised
  expect((await send(form.body, form.contentType)).status).toBe(200);
  expect(statuses.get("400 invalid_multipart")).toBeGreaterThan(image.length);
});

const BOUNDARY = "B";
const PART_HEAD = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;

it.each<[string, Buffer]>([
  ["a file part header with nothing after it", Buffer.from(PART_HEAD)],
  ["file data and no closing boundary", Buffer.concat([Buffer.from(PART_HEAD), JPEG])],
  ["file data and half a closing boundary", Buffer.concat([Buffer.from(PART_HEAD), JPEG, Buffer.from("\r\n--")])],
  ["a second part cut inside its headers", Buffer.concat([Buffer.from(PART_HEAD), JPEG, Buffer.from(`\r\n--${BOUNDARY}\r\nContent-Disp`)])],
  ["a part header line without a colon", Buffer.from(`--${BOUNDARY}\r\nnot a header\r\n\r\nx\r\n--${BOUNDARY}--\r\n`)],
  ["a header block that never ends", Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n`), Buffer.alloc(100_000, "a")])],
  ["a boundary that never appears", Buffer.concat([Buffer.from("--OTHER\r\n"), JPEG])],
  ["only the closing boundary", Buffer.from(`--${BOUNDARY}--\r\n`)],
  [
    "a nested multipart part",
    Buffer.from(`--${BOUNDARY}\r\nContent-Type: multipart/mixed; boundary=C\r\n\r\n--C\r\n\r\nx\r\n--C--\r\n--${BOUNDARY}--\r\n`),
  ],
  ["binary garbage", Buffer.from(Array.from({ length: 4096 }, (_v, i) => (i * 7919) % 256))],
])("answers %s with a documented 4xx and no process fault", async (_name, body) => {
  // Act
  const outcome = await send(body, `multipart/form-data; boundary=${BOUNDARY}`);
  await faults.settle();

  // Assess
  expectDocumented(outcome, JPEG, _name);
  expect(faults.seen()).toEqual([]);
});
