// Runs a Lambda bundle the way the Lambda runtime does, once: a fresh Node.js process loads it (timed, the cold
// start's module load), then calls its handler for each event with a Lambda-like context, one after the other.
// Started by testing/invoke-bundle.ts; plain JavaScript because it runs under the Lambda's Node.js 22 without ts-node.
// Arguments: <bundle file> <events JSON file> <result JSON file> <context JSON>. stdout stays the handler's logs.
const fs = require("node:fs");

const [bundleFile, eventsFile, resultFile, contextJson] = process.argv.slice(2);
// The context JSON holds the static fields (local/lambda-context.ts staticContextFields) and timeoutMs.
const { timeoutMs, ...fields } = JSON.parse(contextJson);
const started = process.hrtime.bigint();
const { handler } = require(bundleFile);
const initMs = Number(process.hrtime.bigint() - started) / 1e6;

const unsupported = () => {
  throw new Error("callback-style context methods are not supported by the Node.js 22 runtime");
};
// As local/lambda-context.ts lambdaContext builds it.
const context = (i, deadline) => ({
  ...fields,
  awsRequestId: `bundle-req-${i}`,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: unsupported,
  fail: unsupported,
  succeed: unsupported,
});

(async () => {
  const events = JSON.parse(fs.readFileSync(eventsFile, "utf8"));
  const results = [];
  for (const [i, event] of events.entries()) results.push(await handler(event, context(i, Date.now() + timeoutMs)));
  fs.writeFileSync(resultFile, JSON.stringify({ node: process.version, initMs, handlerType: typeof handler, results }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
