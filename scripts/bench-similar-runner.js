// Runs the Lambda bundle the way Lambda does for the POST /similar benchmark (scripts/bench-catalogue.ts): a fresh
// Node.js 22 process loads it, answers one cold /similar request (which loads the catalogue index from S3), then
// `warm` more, and writes the timings and the process's memory to a JSON file. Plain JavaScript: it runs under the
// Lambda's Node.js 22 without ts-node. Arguments: <bundle file> <event JSON file> <warm requests> <result JSON file>.
// The environment is the function's (set by the caller); stdout stays the handler's logs.
const fs = require("node:fs");
const { peakRssBytes } = require("./peak-rss");

const [bundleFile, eventFile, warmText, resultFile] = process.argv.slice(2);
const baselineRss = process.memoryUsage().rss;
const { handler } = require(bundleFile);
const afterLoadRss = process.memoryUsage().rss;
const event = JSON.parse(fs.readFileSync(eventFile, "utf8"));
const context = (i) => ({ awsRequestId: `bench-${i}`, getRemainingTimeInMillis: () => 28_000 });

(async () => {
  const timed = async (i) => {
    const started = process.hrtime.bigint();
    const result = await handler(event, context(i));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}: ${result.body}`);
    return { ms, body: JSON.parse(result.body) };
  };
  const cold = await timed(0);
  const rssAfterIndex = process.memoryUsage().rss;
  const warm = [];
  for (let i = 1; i <= Number(warmText); i += 1) warm.push((await timed(i)).ms);
  fs.writeFileSync(
    resultFile,
    JSON.stringify({
      node: process.version,
      coldMs: cold.ms,
      warmMs: warm,
      matches: cold.body.matches.length,
      indexCount: cold.body.index.count,
      rss: { baseline: baselineRss, afterModuleLoad: afterLoadRss, afterIndexLoad: rssAfterIndex, end: process.memoryUsage().rss },
      // Peak resident set of the whole run, what Lambda's memory limit is held against (this process's own: peak-rss.js).
      maxRssBytes: peakRssBytes(),
    }),
  );
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
