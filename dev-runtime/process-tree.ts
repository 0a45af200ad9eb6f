/**
 * Linux process-tree helpers read from /proc: descendants of a process (e.g. the local endpoint: front, model
 * server guard, multi-model-server, Java, Python workers) and whether a process is still alive. Used by the load
 * test for memory figures and by the tests that check nothing outlives a stopped or killed server.
 */
import * as fs from "fs";

interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
}

function processTable(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the command (which may hold spaces): state, ppid, ...
      const [, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      entries.push({ pid: Number(name), ppid: Number(ppid) });
    } catch {
      // the process ended while we looked
    }
  }
  return entries;
}

/** Every process below `root` (children, grandchildren, ...), not `root` itself. */
export function descendantPids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of processTable()) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry.pid]);
  const found: number[] = [];
  const pending = [...(children.get(root) ?? [])];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    found.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** True while the process exists and is not a zombie waiting for its parent. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Resident memory of `root` and all its descendants, in MB. */
export function treeRssMb(root: number): number {
  let kb = 0;
  for (const pid of [root, ...descendantPids(root)]) {
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      if (rss) kb += Number(rss[1]);
    } catch {
      // gone
    }
  }
  return kb / 1024;
}
