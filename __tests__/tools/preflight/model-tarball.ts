/** Small model tarballs for the preflight tests: config.json (and nothing else) at the root, as packaged models have it. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export function modelTarball(config: Record<string, unknown> | string, member = "config.json"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-model-"));
  fs.mkdirSync(path.join(dir, "model", path.dirname(member)), { recursive: true });
  fs.writeFileSync(path.join(dir, "model", member), typeof config === "string" ? config : JSON.stringify(config));
  const tarball = path.join(dir, "model.tar.gz");
  const result = spawnSync("tar", ["-czf", tarball, "-C", path.join(dir, "model"), member], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  return tarball;
}

export const IMAGENET_LIKE = {
  architectures: ["ViTForImageClassification"],
  id2label: { "0": "tench, Tinca tinca", "1": "goldfish, Carassius auratus", "2": "tabby, tabby cat" },
};
