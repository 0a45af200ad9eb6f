// The peak resident memory of this process, for benchmarks that hold it against a function's memory size (Lambda
// counts resident memory). Plain JavaScript: the Lambda's Node.js 22 loads it without ts-node.
//
// On Linux the answer is VmHWM of /proc/self/status: the high-water mark of this process's own address space, which
// starts afresh at exec. Not process.resourceUsage().maxRSS: Linux carries the parent's high-water mark across
// fork + exec into it, so a child of a process holding 500 MB reported 500 MB whatever it used itself. Elsewhere
// (macOS starts children with posix_spawn, no fork) maxRSS is the only measure there is.
const fs = require("node:fs");

function peakRssBytes() {
  let status;
  try {
    status = fs.readFileSync("/proc/self/status", "utf8");
  } catch {
    return process.resourceUsage().maxRSS * 1024;
  }
  const kb = /^VmHWM:\s*(\d+)\s*kB/m.exec(status);
  if (kb === null) throw new Error("/proc/self/status has no VmHWM line");
  return Number(kb[1]) * 1024;
}

module.exports = { peakRssBytes };
