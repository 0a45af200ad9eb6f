/**
 * The benchmark file the cost tool reads by default (model/bench/model-bench.json, written by `npm run bench:model`;
 * model/tests/test_model_bench_record.py holds the benchmark's writer to it) parses with the cost tool's reader, and
 * docs/contracts.md's field table documents every field it has, every field the reader checks, and no other.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { REPO_ROOT } from "../../../common/repo-root";
import { DEFAULT_BENCHMARK_PATH, modelBenchmarkSchema, readModelBenchmark } from "../../../tools/cost/model-benchmark";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const file = JSON.parse(fs.readFileSync(DEFAULT_BENCHMARK_PATH, "utf8")) as { [key: string]: Json };

/** The dotted paths of docs/contracts.md's "Model benchmark JSON" table, `<variant>`, `<size>`, `<batch>` expanded. */
function documentedPaths(): string[] {
  const contracts = fs.readFileSync(path.join(REPO_ROOT, "docs", "contracts.md"), "utf8");
  const section = contracts.split("## Model benchmark JSON")[1].split("\n## ")[0];
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  const names = rows.flatMap((row) => {
    const cell = row.split("|")[1];
    const tokens = [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
    // "`a.b.c`, `.d`": a token starting with "." is a sibling of the one before it.
    return tokens.map((token) => (token.startsWith(".") ? tokens[0].replace(/\.[^.]+$/, "") + token : token));
  });
  const expansions: Record<string, string[]> = {
    "<variant>": Object.keys(file.variants as object),
    "<size>": Object.keys(file.pipelineMsPerImage as object),
    "<batch>": Object.keys(file.batchingImagesPerSecond as object),
  };
  const expand = (name: string): string[] => {
    const placeholder = Object.keys(expansions).find((key) => name.includes(key));
    return placeholder ? expansions[placeholder].flatMap((value) => expand(name.replace(placeholder, value))) : [name];
  };
  return names.flatMap(expand);
}

/** Dotted paths of the leaves of a JSON value; `covered` paths stand for everything beneath them. */
function leafPaths(value: Json, covered: Set<string>, prefix = ""): string[] {
  if (prefix && covered.has(prefix)) return [prefix];
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, child]) => leafPaths(child, covered, prefix ? `${prefix}.${key}` : key));
  }
  return [prefix];
}

/** Dotted paths of the leaves the reader's zod schema checks. */
function schemaPaths(schema: z.ZodTypeAny, prefix = ""): string[] {
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodTypeAny>).flatMap(([key, child]) =>
      schemaPaths(child, prefix ? `${prefix}.${key}` : key),
    );
  }
  return [prefix];
}

describe("model/bench/model-bench.json", () => {
  it("parses with the cost tool's reader", () => {
    // Act
    const bench = readModelBenchmark(DEFAULT_BENCHMARK_PATH);

    // Assess
    expect(bench?.serving.msPerImage).toBeGreaterThan(0);
  });

  it("has exactly the fields docs/contracts.md documents", () => {
    // Prepare
    const documented = documentedPaths();

    // Act
    const present = leafPaths(file, new Set(documented));

    // Assess
    expect([...present].sort()).toEqual([...new Set(documented)].sort());
  });

  it("documents every field the cost tool's reader checks", () => {
    // Prepare
    const documented = new Set(documentedPaths());

    // Act
    const checked = schemaPaths(modelBenchmarkSchema);

    // Assess
    expect(checked.filter((field) => !documented.has(field))).toEqual([]);
  });
});
