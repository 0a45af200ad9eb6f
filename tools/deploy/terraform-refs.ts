/**
 * Resolves the references in a synthesized resource (cdk.tf.json) with the values Terraform recorded in its state
 * (`terraform show -json`), so the rehearsal can compare what exists with what the stack asked for.
 *
 * Understands exactly the expressions this stack writes: `${<address>.<attribute path>}`, `lower(...)`,
 * `substr(..., start, length)`, `filebase64sha256("<path in the stack folder>")` and `(a == b)`. Anything else
 * throws, so a check never passes by comparing an unresolved expression.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface StateResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly values: Record<string, unknown>;
}

export interface StateJson {
  readonly values?: {
    readonly outputs?: Record<string, { value: unknown }>;
    readonly root_module?: { readonly resources?: StateResource[] };
  };
}

export class StateView {
  private readonly byAddress: Map<string, StateResource>;

  constructor(
    readonly state: StateJson,
    private readonly stackDir: string,
  ) {
    this.byAddress = new Map((state.values?.root_module?.resources ?? []).map((r) => [r.address, r]));
  }

  resources(type: string): StateResource[] {
    return [...this.byAddress.values()].filter((r) => r.type === type && r.mode === "managed");
  }

  only(type: string): StateResource {
    const found = this.resources(type);
    if (found.length !== 1) throw new Error(`expected one ${type} in the state, found ${found.length}`);
    return found[0];
  }

  get(address: string): StateResource {
    const found = this.byAddress.get(address);
    if (!found) throw new Error(`${address} is not in the state`);
    return found;
  }

  /** Every string in `value` with its ${...} expressions replaced by their values. */
  resolve<T>(value: T): T {
    if (typeof value === "string") return this.resolveString(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)) as T;
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => k !== "//")
          .map(([k, v]) => [k, this.resolve(v)]),
      ) as T;
    }
    return value;
  }

  private resolveString(text: string): string {
    return text.replace(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g, (_whole, expression: string) => String(this.evaluate(expression.trim())));
  }

  evaluate(expression: string): unknown {
    let match = /^\((.*) == (.*)\)$/.exec(expression);
    if (match) return this.evaluate(match[1]) === this.evaluate(match[2]);
    match = /^lower\((.*)\)$/.exec(expression);
    if (match) return String(this.evaluate(match[1])).toLowerCase();
    match = /^substr\((.*), (\d+), (\d+)\)$/.exec(expression);
    if (match) return String(this.evaluate(match[1])).substr(Number(match[2]), Number(match[3]));
    match = /^filebase64sha256\("(.*)"\)$/.exec(expression);
    if (match)
      return crypto
        .createHash("sha256")
        .update(fs.readFileSync(path.join(this.stackDir, match[1])))
        .digest("base64");
    match = /^((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)((?:\.[a-z0-9_]+|\[\d+\])+)$/.exec(expression);
    if (match) return this.attribute(match[1], match[2]);
    throw new Error(`cannot resolve the expression \${${expression}}`);
  }

  private attribute(address: string, attributePath: string): unknown {
    let value: unknown = this.get(address).values;
    for (const [, key, index] of attributePath.matchAll(/\.([a-z0-9_]+)|\[(\d+)\]/g)) {
      value = key !== undefined ? (value as Record<string, unknown>)?.[key] : (value as unknown[])?.[Number(index)];
    }
    if (value === undefined || value === null) throw new Error(`${address}${attributePath} has no value in the state`);
    return value;
  }
}
