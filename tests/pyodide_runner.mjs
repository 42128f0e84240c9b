// Run calculator requests (or any function of the wheel) inside the pinned Pyodide under Node.
//
//   node tests/pyodide_runner.mjs --wheel dist/calculators-....whl [--stdlib python_stdlib.zip]
//        [--pyodide-dir node_modules/pyodide] [--timings timings.json] [--repeat N] < doc.json
//
// stdin, one JSON document:
//   {"catalogue": <catalogue mapping or null>,
//    "cases": [
//      {"command": "prorate", "request": {...}},            -> calculators.api.run(command,
//                                                               request, catalogue=<parsed>)
//      {"call": "module:function", "args": [...], "kwargs": {...},
//       "catalogue_kwarg": "catalogue"}                    -> function(*args, **kwargs), with the
//                                                               parsed catalogue passed under that
//                                                               keyword when catalogue_kwarg is set
//    ],
//    "python": "optional source"}                          -> executed first as module __runner__,
//                                                               so cases can call "__runner__:name"
// stdout: a JSON list, one item per case: the result serialised *in Python* with
//   json.dumps(result, sort_keys=True, ensure_ascii=False) - a string to compare exactly with
//   CPython's - or {"exception": "<traceback>"} when the case raised.
// The catalogue is parsed once with calculators.requests.catalogue.parse_catalogue(source="catalogue.json").
// All JSON is parsed by Python, never by JavaScript, so numbers reach both runtimes identically.
//
// --stdlib loads the trimmed precompiled standard library (loadPyodide's stdLibURL) instead of the
// stock one. --timings writes start-up phases and per-case times (ms); --repeat N then reruns
// every case N more times and records the median per case, measured inside Python.

import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const DRIVER = String.raw`
import importlib, json, statistics, sys, time, traceback, types

_doc = None
_results = []
_catalogue = None
_catalogue_error = None


def _dumps(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def setup(text):
    global _doc, _catalogue, _catalogue_error
    _doc = json.loads(text)
    importlib.invalidate_caches()
    source = _doc.get("python")
    if source:
        module = types.ModuleType("__runner__")
        sys.modules["__runner__"] = module
        exec(compile(source, "<runner python>", "exec"), module.__dict__)
    from calculators.requests.catalogue import parse_catalogue
    if _doc.get("catalogue") is not None:
        try:
            _catalogue = parse_catalogue(_doc["catalogue"], source="catalogue.json")
        except Exception:
            _catalogue_error = traceback.format_exc()
    return len(_doc["cases"])


def _resolve(target):
    module_name, _, attribute = target.partition(":")
    if not attribute:
        raise ValueError(f"call {target!r} must be 'module:function'")
    value = importlib.import_module(module_name)
    for part in attribute.split("."):
        value = getattr(value, part)
    return value


def _catalogue_or_raise():
    if _catalogue_error is not None:
        raise RuntimeError("the catalogue did not parse:\n" + _catalogue_error)
    return _catalogue


def _compute(case):
    if "call" in case:
        function = _resolve(case["call"])
        kwargs = dict(case.get("kwargs") or {})
        if case.get("catalogue_kwarg"):
            kwargs[case["catalogue_kwarg"]] = _catalogue_or_raise()
        return function(*(case.get("args") or []), **kwargs)
    if "command" in case:
        from calculators import api
        return api.run(case["command"], case.get("request"), catalogue=_catalogue_or_raise())
    raise ValueError(f"a case needs 'command' or 'call'; got keys {sorted(case)}")


def run_case(index):
    try:
        _results.append(_dumps(_compute(_doc["cases"][index])))
    except BaseException:
        _results.append({"exception": traceback.format_exc()})


def repeat_case(index, times):
    case = _doc["cases"][index]
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        try:
            _dumps(_compute(case))
        except Exception:
            pass
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def finish():
    return json.dumps(_results)
`;

class StepError extends Error {
  constructor(step, message) {
    super(`[${step}] ${message}`);
  }
}

// Pyodide's own message for a missing stdlib module blames "the Pyodide distribution"; with
// --stdlib it is more likely our trim (macros/precompile_stdlib.mjs) that dropped it.
const TRIM_HINT =
  "\nIf that is a standard-library module and --stdlib was given, the trimmed stdlib dropped it: " +
  "add it to CALCULATOR_STDLIB (or remove it from DROP_TOP) in macros/precompile_stdlib.mjs.";

async function step(name, action) {
  try {
    return await action();
  } catch (error) {
    if (error instanceof StepError) throw error;
    let message = error?.message ?? String(error);
    if (message.includes("ModuleNotFoundError")) message += TRIM_HINT;
    throw new StepError(name, message);
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf-8");
}

async function main() {
  const { values } = parseArgs({
    options: {
      wheel: { type: "string" },
      stdlib: { type: "string" },
      "pyodide-dir": { type: "string" },
      timings: { type: "string" },
      repeat: { type: "string", default: "0" },
    },
  });
  if (!values.wheel) throw new StepError("arguments", "--wheel <calculators wheel> is required");
  const repeat = Number.parseInt(values.repeat, 10);
  if (!(repeat >= 0)) throw new StepError("arguments", `--repeat must be a count, not ${values.repeat}`);
  const here = dirname(fileURLToPath(import.meta.url));
  const pyodideDir = resolve(values["pyodide-dir"] ?? join(here, "..", "node_modules", "pyodide"));
  const timings = { process_start_to_script_ms: performance.now() };

  const input = await step("stdin", readStdin);
  // A plain Uint8Array: Pyodide does not accept a Node Buffer.
  const wheel = await step("wheel", async () => new Uint8Array(await readFile(resolve(values.wheel))));

  const t0 = performance.now();
  const { loadPyodide } = await step("import", async () => {
    const entry = join(pyodideDir, "pyodide.mjs");
    try {
      return await import(pathToFileURL(entry).href);
    } catch (error) {
      throw new Error(`cannot import ${entry} (${error.message}); run \`npm ci\` in the project root`);
    }
  });
  const t1 = performance.now();
  const options = {
    indexURL: pyodideDir + "/",
    // Python's own printing goes to stderr: stdout carries only the JSON answer.
    stdout: (line) => process.stderr.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  };
  if (values.stdlib) options.stdLibURL = resolve(values.stdlib);
  const pyodide = await step("load", () => loadPyodide(options));
  const t2 = performance.now();
  await step("install", () => {
    const site = pyodide.runPython("import site; site.getsitepackages()[0]");
    pyodide.unpackArchive(wheel, "wheel", { extractDir: site });
  });
  const t3 = performance.now();
  const count = await step("setup", () => {
    pyodide.runPython(DRIVER, { globals: pyodide.globals });
    pyodide.globals.set("runner_input", input);
    return pyodide.runPython("setup(runner_input)");
  });
  const runCase = pyodide.globals.get("run_case");
  const perCase = [];
  for (let index = 0; index < count; index += 1) {
    const start = performance.now();
    runCase(index);
    perCase.push(performance.now() - start);
    if (index === 0) {
      timings.first_result_since_load_ms = performance.now() - t0;
      timings.first_result_since_process_start_ms = performance.now();
    }
  }
  const output = pyodide.runPython("finish()");

  if (values.timings) {
    Object.assign(timings, {
      import_pyodide_mjs_ms: t1 - t0,
      load_pyodide_ms: t2 - t1,
      install_wheel_ms: t3 - t2,
      cases_first_run_ms: perCase,
      stdlib: values.stdlib ? "trimmed" : "stock",
    });
    if (repeat > 0) {
      const repeatCase = pyodide.globals.get("repeat_case");
      timings.repeat = repeat;
      timings.cases_median_ms = [];
      for (let index = 0; index < count; index += 1) {
        timings.cases_median_ms.push(repeatCase(index, repeat));
      }
    }
    await writeFile(values.timings, JSON.stringify(timings, null, 2) + "\n");
  }
  await new Promise((done) => process.stdout.write(output + "\n", done));
}

try {
  await main();
} catch (error) {
  const message = error instanceof StepError ? error.message : `[unexpected] ${error.stack ?? error}`;
  process.stderr.write(`pyodide_runner: ${message}\n`);
  process.exit(1);
}
