// A memory snapshot of Pyodide with the calculators imported and warmed up, for the worker.
//
//   node macros/make_snapshot.mjs --pyodide-dir DIR --stdlib ZIP --wheel WHL --catalogue JSON \
//        --out FILE.gz
//
// Pyodide (0.26 and later, 314.x here) can save its whole WebAssembly memory after start-up and
// start from it instead of unpacking the standard library and starting Python: `loadPyodide`
// with `_makeSnapshot: true`, then `pyodide.makeMemorySnapshot()`; the worker passes the bytes
// back as `_loadSnapshot`. Both options are private (underscored, `@ignore` in its types): their
// shape may change in any Pyodide release, which is why the project pins Pyodide and makes the
// snapshot again with every build. Pyodide itself refuses a snapshot of another build (a build
// id in its header); the worker also checks the marker set below, and starts normally when
// either check fails, or when the wheel and stdlib the site serves are not the bytes it was made
// from (a hash of each in the marker). Emscripten's in-memory files are not part of the snapshot: the standard
// library zip is mounted again at every start (its bytes must be the ones the snapshot was made
// with, hence the marker), and the wheel's files are not there at all, so every module of the
// package is imported here, and each calculator computed once (lazy imports, caches).
// Steps, each named in the error if it fails:
//   1. start     - Pyodide with the trimmed stdlib, the wheel unpacked, every calculators module
//                  imported, one session on the site's catalogue, each calculator computed once;
//   2. snapshot  - the memory, gzipped (the worker inflates it with DecompressionStream, so any
//                  host sends it compressed);
//   3. check     - start again from the snapshot and compute each calculator: the same answers.
// Prints a JSON summary on stdout. Called by macros/assets.py build_snapshot.

import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";

const WARM_UP = String.raw`
import gc, importlib, json, pkgutil, sys
import calculators
for module in pkgutil.walk_packages(calculators.__path__, "calculators."):
    importlib.import_module(module.name)
from calculators import web
from calculators.web import widgets

def kb_stdlib_sha256():
    """The bytes of the standard library zip mounted now (the worker compares them)."""
    import hashlib
    path = next(entry for entry in sys.path if entry.endswith(".zip"))
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()

def kb_warm_up(catalogue_json):
    """Each calculator once, with its defaults (for the day it runs: "" is today)."""
    evaluate = web.session(catalogue_json)
    return {name: json.loads(evaluate(name, "{}", "")) for name in widgets.WIDGETS}
`;

class StepError extends Error {
  constructor(step, message) {
    super(`[${step}] ${message}`);
  }
}

async function step(name, action) {
  try {
    return await action();
  } catch (error) {
    if (error instanceof StepError) throw error;
    throw new StepError(name, error?.message ?? String(error));
  }
}

function quiet(options) {
  // Python's output must not mix with the JSON summary on stdout.
  return {
    ...options,
    stdout: (line) => process.stderr.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  };
}

function answers(pyodide, catalogueJson) {
  pyodide.globals.set("kb_catalogue_json", catalogueJson);
  return pyodide.runPython("json.dumps(kb_warm_up(kb_catalogue_json), sort_keys=True)");
}

async function main() {
  const { values } = parseArgs({
    options: {
      "pyodide-dir": { type: "string" },
      stdlib: { type: "string" },
      wheel: { type: "string" },
      catalogue: { type: "string" },
      out: { type: "string" },
    },
  });
  for (const name of ["pyodide-dir", "stdlib", "wheel", "catalogue", "out"]) {
    if (!values[name]) throw new StepError("arguments", `--${name} is required`);
  }
  const pyodideDir = resolve(values["pyodide-dir"]);
  const stdlib = resolve(values.stdlib);
  const wheelPath = resolve(values.wheel);
  const { loadPyodide, version } = await step("load", () =>
    import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href),
  );
  const catalogueJson = JSON.stringify(JSON.parse(await readFile(values.catalogue, "utf8")));
  const wheel = new Uint8Array(await readFile(wheelPath));
  const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
  // What the worker compares before it trusts a snapshot: the wheel and the standard library
  // the site serves now are the very bytes it was made from.
  const marker = JSON.stringify({
    wheel: basename(wheelPath), wheel_sha256: sha256(wheel),
    stdlib: basename(stdlib), stdlib_sha256: sha256(await readFile(stdlib)),
  });
  const options = { indexURL: pyodideDir + "/", stdLibURL: stdlib };

  const made = await step("start", async () => {
    const pyodide = await loadPyodide(quiet({ ...options, _makeSnapshot: true }));
    pyodide.unpackArchive(wheel, "wheel");
    pyodide.runPython(WARM_UP);
    const expected = answers(pyodide, catalogueJson);
    pyodide.globals.set("KB_SNAPSHOT", marker);
    pyodide.runPython("gc.collect()");
    return { pyodide, expected };
  });
  const memory = await step("snapshot", () => made.pyodide.makeMemorySnapshot());
  const packed = gzipSync(memory, { level: 9 });
  await step("check", async () => {
    let restored;
    try {
      restored = await loadPyodide(
        quiet({ ...options, _loadSnapshot: new Uint8Array(gunzipSync(packed)) }),
      );
    } catch (error) {
      // Pyodide 314 restores into its initial heap whatever the snapshot's size (pyodide#6254).
      if (error instanceof RangeError) {
        throw new Error(`the interpreter's memory (${memory.length} bytes) outgrew the heap ` +
          `Pyodide restores a snapshot into: ${error.message}`);
      }
      throw error;
    }
    const seen = restored.globals.get("KB_SNAPSHOT");
    if (seen !== marker) throw new Error(`the restored marker is ${seen}, not ${marker}`);
    const stdlibNow = restored.runPython("kb_stdlib_sha256()");
    if (stdlibNow !== JSON.parse(marker).stdlib_sha256) throw new Error("the stdlib check fails");
    const again = answers(restored, catalogueJson);
    if (again !== made.expected) throw new Error("the restored interpreter computes other answers");
  });
  await step("write", () => writeFile(values.out, packed));
  process.stdout.write(JSON.stringify({
    pyodide: version, memory_bytes: memory.length, gzip_bytes: packed.length, marker,
  }, null, 2) + "\n");
}

try {
  await main();
} catch (error) {
  const message = error instanceof StepError ? error.message : `[unexpected] ${error.stack ?? error}`;
  process.stderr.write(`make_snapshot: ${message}\n`);
  process.exit(1);
}
