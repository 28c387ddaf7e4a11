/**
 * No import cycles in the server, the page, the protocol package or the bench: each module's
 * relative imports (`import` and `export … from`, types included) form a graph without a loop,
 * so the layers of src/server/ stay layers (README, "How it works").
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const FOLDERS = ["src", "bench", "packages/protocol/src"];
const IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s+["'](\.{1,2}\/[^"']+)["']/gm;

function modules(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => normalize(join(folder, f)));
}

/** Every cycle found by a depth-first walk, each as the modules on it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const found: string[][] = [];
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe("the module graph", () => {
  it("has no import cycle in src/, bench/ or the protocol package", () => {
    const files = new Set(FOLDERS.flatMap(modules));
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), "utf8");
      const deps = [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(file), m[1]!))).filter((dep) => files.has(dep));
      graph.set(file, deps);
    }
    expect(graph.size).toBeGreaterThan(100);
    // The walk does find a cycle when there is one.
    expect(cycles(new Map([["a", ["b"]], ["b", ["a"]]]))).toEqual([["a", "b", "a"]]);
    expect(cycles(graph).map((c) => c.map((f) => relative(".", f)).join(" → "))).toEqual([]);
  });
});
