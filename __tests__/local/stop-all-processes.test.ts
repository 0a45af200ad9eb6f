/**
 * stopAllProcesses (dev-runtime/processes.ts), what the local stack's runner calls on a signal, over real child processes:
 * the last started is stopped first (a server started later may still need an earlier one for its requests in
 * flight: the API needs the endpoint), and a server still starting is stopped with SIGTERM like a ready one, so its
 * own clean-up runs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startProcess, stopAllProcesses } from "../../dev-runtime/processes";

jest.setTimeout(30_000);

/**
 * Notes each SIGTERM and exit in LOG, exits DELAY ms after SIGTERM. Prints READY; with NOT_READY set, notes
 * "started" instead (its SIGTERM handler in place) and never becomes ready.
 */
const CHILD = `
const fs = require("fs");
const note = (what) => fs.appendFileSync(process.env.LOG, process.env.NAME + " " + what + "\\n");
process.on("SIGTERM", () => {
  note("SIGTERM");
  setTimeout(() => { note("exit"); process.exit(0); }, Number(process.env.DELAY));
});
if (process.env.NOT_READY) note("started");
else console.log("READY");
setInterval(() => {}, 1000);
`;

let work: string;
let log: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "stop-all-processes-"));
  log = path.join(work, "log");
  fs.writeFileSync(log, "");
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function start(name: string, delayMs: number, ready = true) {
  return startProcess({
    name,
    command: process.execPath,
    args: ["-e", CHILD],
    env: { LOG: log, NAME: name, DELAY: String(delayMs), ...(ready ? {} : { NOT_READY: "1" }) },
    readyLine: /^READY$/,
    readyTimeoutMs: 20_000,
  });
}

const logLines = () => fs.readFileSync(log, "utf8").trim().split("\n");

it("stops the last started first, each after the one started after it has exited", async () => {
  // Prepare: the second takes half a second to exit after its SIGTERM
  const first = await start("first", 0);
  const second = await start("second", 500);

  // Act
  await stopAllProcesses();

  // Assess
  expect(logLines()).toEqual(["second SIGTERM", "second exit", "first SIGTERM", "first exit"]);
  expect([first.running(), second.running()]).toEqual([false, false]);
});

it("stops a server still starting with SIGTERM, as a ready one, and its start fails", async () => {
  // Prepare: a child that never prints its ready line, its SIGTERM handler installed
  const starting = start("starting", 0, false);
  const outcome = starting.then(
    () => "ready",
    (error: Error) => error.message,
  );
  for (let i = 0; i < 200 && !logLines().includes("starting started"); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(logLines()).toEqual(["starting started"]);

  // Act
  await stopAllProcesses();

  // Assess
  expect(logLines()).toEqual(["starting started", "starting SIGTERM", "starting exit"]);
  expect(await outcome).toMatch(/^starting exited \(code 0\) before it was ready/);
});
