/** The model line, every outcome: no tarball (configured or the default), the demo model (loud), a real model, an unreadable one. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../../common/repo-root";
import { formatCheck } from "../../../tools/preflight/check-result";
import { DEMO_MODEL_LABELS, modelArtifactCheck } from "../../../tools/preflight/model-artifact-check";
import { IMAGENET_LIKE, modelTarball } from "./model-tarball";

const DEMO_CONFIG = {
  architectures: ["ViTForImageClassification"],
  id2label: Object.fromEntries(DEMO_MODEL_LABELS.map((l, i) => [String(i), l])),
};

describe("Preflight: the model artifact", () => {
  it("warns loudly that the demo shapes model would be deployed, with the command for the real one", () => {
    // Prepare
    const tarball = modelTarball(DEMO_CONFIG);

    // Act
    const line = formatCheck(modelArtifactCheck({ kind: "file", tarballPath: tarball }));

    // Assess
    expect(line).toBe(
      `WARN  model: THIS DEPLOYS THE DEMO SHAPES MODEL (${tarball}: a tiny ViT that knows 6 coloured shapes, not photos)\n` +
        '      fix: for the real classifier: npm run model:package -- google/vit-base-patch16-384 (it prints the "modelArtifact": {"huggingFace": ...} line to put in classifier.config.json), then npm run synth',
    );
  });

  it("passes a real model, saying what it is and how big", () => {
    // Prepare
    const tarball = modelTarball(IMAGENET_LIKE);

    // Act
    const line = formatCheck(modelArtifactCheck({ kind: "file", tarballPath: tarball }));

    // Assess
    expect(line).toBe(`PASS  model: ${tarball} (0.0 MB): ViTForImageClassification, 3 labels`);
  });

  it("reads config.json whether the tarball names it config.json or ./config.json", () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dot-slash-"));
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(IMAGENET_LIKE));
    const tarball = path.join(dir, "..", `${path.basename(dir)}.tar.gz`);
    spawnSync("tar", ["-czf", tarball, "-C", dir, "./config.json"]);

    // Act
    const line = formatCheck(modelArtifactCheck({ kind: "file", tarballPath: tarball }));

    // Assess
    expect(line).toMatch(/^PASS {2}model: .*: ViTForImageClassification, 3 labels$/);
  });

  it("fails when the configured tarball does not exist, naming how to make it", () => {
    // Act
    const line = formatCheck(modelArtifactCheck({ kind: "file", tarballPath: "/nowhere/vit.tar.gz" }));

    // Assess
    expect(line).toBe(
      "FAIL  model: /nowhere/vit.tar.gz does not exist\n" +
        "      fix: package a model into it (npm run model:package -- <model folder or Hub id> /nowhere/vit.tar.gz), or fix modelArtifact.path",
    );
  });

  it("fails when the Hub model the config names is not packaged yet, naming the command synth runs", () => {
    // Prepare
    const revision = "2960116e809e2fca84146dbb240289aee7db4827";
    const tarballPath = path.join(REPO_ROOT, "model", ".cache", "huggingface", "absent--vit", revision, "model.tar.gz");
    // Act
    const line = formatCheck(modelArtifactCheck({ kind: "huggingFace", id: "absent/vit", revision, tarballPath }));
    // Assess
    expect(line).toBe(
      `FAIL  model: absent/vit@2960116e809e is not packaged yet (model/.cache/huggingface/absent--vit/${revision}/model.tar.gz)\n` +
        `      fix: npm run synth downloads and packages it (npm run model:package -- absent/vit --revision ${revision})`,
    );
  });

  it("names the Hub model it passes", () => {
    // Prepare
    const tarballPath = modelTarball(IMAGENET_LIKE);
    // Act
    const line = formatCheck(
      modelArtifactCheck({ kind: "huggingFace", id: "google/vit-base-patch16-384", revision: "a".repeat(40), tarballPath }),
    );
    // Assess
    expect(line).toMatch(/^PASS {2}model: google\/vit-base-patch16-384@aaaaaaaaaaaa, .*: ViTForImageClassification, 3 labels$/);
  });

  it("fails when the default tarball was never built, offering the real model first", () => {
    // Act
    const line = formatCheck(modelArtifactCheck({ kind: "demo", tarballPath: path.join(REPO_ROOT, "model", ".cache", "absent.tar.gz") }));

    // Assess
    expect(line).toBe(
      "FAIL  model: model/.cache/absent.tar.gz (the demo model) does not exist\n" +
        '      fix: for the real classifier: npm run model:package -- google/vit-base-patch16-384 (it prints the "modelArtifact": {"huggingFace": ...} line ' +
        "to put in classifier.config.json), then npm run synth; or npm run synth, which builds the demo model",
    );
  });

  it.each([
    ["no config.json at its root", () => modelTarball("{}", "weights/config.json"), "tar found no config.json"],
    ["a config.json that is not JSON", () => modelTarball("not json"), "Unexpected token"],
  ])("warns about a tarball with %s", (_what, make, reason) => {
    // Prepare
    const tarball = make();

    // Act
    const line = formatCheck(modelArtifactCheck({ kind: "file", tarballPath: tarball }));

    // Assess
    expect(line).toMatch(
      new RegExp(
        `^WARN {2}model: ${tarball.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(0\\.0 MB\\): no readable config\\.json at its root \\(.*${reason}`,
      ),
    );
    expect(line).toContain("fix: package the model with npm run model:package");
  });

  it("knows the demo model's labels as the demo's generator makes them (every colour with every shape)", () => {
    // Prepare
    const shapes = fs.readFileSync(path.join(REPO_ROOT, "model", "demo", "shapes.py"), "utf8");
    const tuple = (name: string) =>
      [...shapes.match(new RegExp(`^${name} = \\(([^)]*)\\)`, "m"))![1].matchAll(/"(\w+)"/g)].map((m) => m[1]);

    // Act
    const labels = tuple("COLOURS").flatMap((colour) => tuple("SHAPES").map((shape) => `${colour}_${shape}`));

    // Assess
    expect(DEMO_MODEL_LABELS).toEqual(labels);
  });
});
