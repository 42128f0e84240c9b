// Trim Pyodide's standard library and precompile it to bytecode with Pyodide's own Python.
//
//   node macros/precompile_stdlib.mjs --out python_stdlib.zip [--pyodide-dir node_modules/pyodide]
//
// Stock Pyodide ships the standard library as .py source and compiles every module it imports at
// each start; a zip of .pyc files built by the same interpreter (same bytecode magic) skips that.
// Steps, each named in the error if it fails:
//   1. trace    - start the stock runtime, do what the site's worker does (install a wheel,
//                 invalidate import caches, read its metadata, run async code) and import every
//                 module the calculators may use (CALCULATOR_STDLIB); every stdlib file that
//                 this loads must survive the trim.
//   2. trim     - drop what a pure-Python calculator never needs (DROP_TOP, DROP_PATHS, most
//                 of encodings/); fail if that would drop anything step 1 loaded.
//   3. compile  - compile each kept .py to an unchecked hash-based .pyc (deterministic, no
//                 timestamps; no source is shipped, so there is nothing to check it against),
//                 without column positions (PYTHONNODEBUGRANGES: a quarter smaller; tracebacks
//                 through the standard library just lose their ^^^ markers).
//   4. write    - a zip with sorted entries and fixed timestamps.
//   5. check    - start Pyodide again on the new zip and repeat step 1 there.
// Prints a JSON summary on stdout. Called by macros/assets.py build_stdlib, which caches the
// result by Pyodide version and the hash of this file: edit this file, and the zip is rebuilt.

import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

// Top-level modules and packages dropped whole: test and debugging tools, the REPL, network
// clients and servers, mail, XML, process pools, FFI, GUI/terminal helpers and toys. Anything
// here that Pyodide itself loads makes step 2 fail, so this list cannot break start-up.
const DROP_TOP = [
  "__hello__", "__phello__", "_compat_pickle", "_pydatetime", "_pyio", "_pyrepl", "antigravity",
  "bdb", "cProfile", "cmd", "configparser", "ctypes", "doctest", "ensurepip", "filecmp",
  "fileinput", "ftplib", "getpass", "http", "idlelib", "imaplib", "lib2to3", "mailbox",
  "modulefinder", "multiprocessing", "netrc", "nntplib", "optparse", "pdb", "pickle",
  "pickletools", "platform", "plistlib", "poplib", "profile", "pstats", "pty", "pyclbr", "pydoc",
  "pydoc_data", "sched", "shelve", "smtplib", "socketserver", "sqlite3", "stringprep",
  "symtable", "tabnanny", "test", "this", "timeit", "tkinter", "trace", "tracemalloc", "tty",
  "turtle", "turtledemo", "unittest", "venv", "wave", "webbrowser", "wsgiref", "xml", "xmlrpc",
  "zipapp",
];
// Files (or folders, ending in "/") dropped inside kept packages: urllib.parse stays but not the
// HTTP client; the logging handlers and config need pickle and configparser; process pools
// need multiprocessing; Windows event loops. (email stays: importlib.invalidate_caches() loads
// importlib.metadata, which imports it.)
const DROP_PATHS = [
  "asyncio/__main__.py", "asyncio/windows_events.py", "asyncio/windows_utils.py",
  "concurrent/futures/process.py", "logging/config.py", "logging/handlers.py",
  "urllib/request.py", "urllib/robotparser.py",
];
// Of the ~120 codecs in encodings/, keep the Unicode ones and the few generic ones; the legacy
// 8-bit code pages and the CJK codecs go (the site only ever decodes UTF-8; cp437 stays because
// zipfile decodes legacy member names with it).
const KEEP_ENCODINGS = [
  "__init__", "aliases", "ascii", "base64_codec", "charmap", "cp437", "hex_codec", "latin_1",
  "raw_unicode_escape", "rot_13", "undefined", "unicode_escape", "utf_16", "utf_16_be",
  "utf_16_le", "utf_32", "utf_32_be", "utf_32_le", "utf_7", "utf_8", "utf_8_sig", "zlib_codec",
];
// The standard library the calculators use or may reasonably use (money, dates, data classes,
// JSON, text, CSV, HTML escaping, URLs for links). Step 1 imports each, so the trim fails if it
// would drop one of them or anything they import; _strptime is datetime.strptime's lazy import.
// tests/test_pyodide_parity.py imports everything the calculators import under the trimmed zip:
// when it names a dropped module, add it here (and take it off DROP_TOP).
const CALCULATOR_STDLIB = [
  "__future__", "_strptime", "abc", "argparse", "base64", "bisect", "calendar", "collections",
  "collections.abc", "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal", "difflib",
  "enum", "fractions", "functools", "graphlib", "hashlib", "heapq", "html", "html.entities",
  "html.parser", "importlib", "importlib.resources", "io", "ipaddress",
  "itertools", "json", "locale", "math", "numbers", "operator", "pathlib", "pkgutil", "pprint",
  "random", "re", "reprlib", "secrets", "statistics", "string", "struct", "textwrap", "tomllib",
  "types", "typing", "unicodedata", "urllib.parse", "uuid", "warnings", "zoneinfo",
];
// Non-source files in the stock zip that nothing reads at run time.
const JUNK = /(^|\/)(README[^/]*|py\.typed|[^/]*\.ini|[^/]*\.bat|fetch_macholib)$/;

const PYTHON = String.raw`
import importlib, importlib.util, io, json, re, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

STDLIB_ZIP = "/lib/python%d%d.zip" % sys.version_info[:2]
EPOCH = (1980, 1, 1, 0, 0, 0)


def loaded_stdlib_files():
    """Archive names of the stdlib files behind every module imported so far."""
    prefix = STDLIB_ZIP + "/"
    found = {}
    for name, module in list(sys.modules.items()):
        origin = getattr(getattr(module, "__spec__", None), "origin", None) or ""
        if origin.startswith(prefix):
            found[origin[len(prefix):]] = name
    return found


def import_all(names):
    failed = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # a module that cannot import here is reported, not hidden
            failed[name] = f"{type(error).__name__}: {error}"
    return failed


def tiny_wheel():
    """A one-module wheel, to exercise pyodide.unpackArchive the way the worker does."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tracewheel/__init__.py", "VALUE = 42\n")
        archive.writestr("tracewheel-1.0.dist-info/METADATA",
                         "Metadata-Version: 2.1\nName: tracewheel\nVersion: 1.0\n")
        archive.writestr("tracewheel-1.0.dist-info/WHEEL",
                         "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        archive.writestr("tracewheel-1.0.dist-info/RECORD", "")
    return buffer.getvalue()


def trim_and_compile(rules_json, needed_json, out_path):
    rules = json.loads(rules_json)
    needed = json.loads(needed_json)
    drop_top = set(rules["drop_top"])
    drop_paths = tuple(rules["drop_paths"])
    keep_encodings = set(rules["keep_encodings"])
    junk = re.compile(rules["junk"])

    def reason_to_drop(name):
        top = name.split("/", 1)[0]
        if top.removesuffix(".py") in drop_top:
            return "dropped module or package"
        if any(name == path or (path.endswith("/") and name.startswith(path))
               for path in drop_paths):
            return "dropped file"
        if top == "encodings" and name.endswith(".py"):
            stem = name[len("encodings/"):-3]
            if "/" in stem or stem not in keep_encodings:
                return "legacy codec"
        if not name.endswith(".py") and junk.search(name):
            return "not read at run time"
        return None

    with zipfile.ZipFile(STDLIB_ZIP) as stock:
        names = [info.filename for info in stock.infolist() if not info.is_dir()]
        clash = {name: module for name, module in needed.items() if reason_to_drop(name)}
        if clash:
            listed = ", ".join(f"{path} ({module})" for path, module in sorted(clash.items()))
            raise SystemExit(f"[trim] the trim would drop files that start-up or the "
                             f"calculators' modules load: {listed}")
        kept, dropped, entries = [], [], {}
        for name in names:
            if reason_to_drop(name):
                dropped.append(name)
                continue
            kept.append(name)
            data = stock.read(name)
            if name.endswith(".py"):
                try:
                    code = compile(data, f"{STDLIB_ZIP}/{name}", "exec", dont_inherit=True,
                                   optimize=0)
                except SyntaxError as error:
                    raise SystemExit(f"[compile] {name}: {error}") from None
                pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                entries[name[:-3] + ".pyc"] = bytes(pyc)
            else:
                entries[name] = data

    with zipfile.ZipFile(out_path, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            archive.writestr(info, entries[name], compresslevel=9)

    top_dropped = sorted({name.split("/", 1)[0].removesuffix(".py") for name in dropped
                          if name.split("/", 1)[0].removesuffix(".py") in drop_top})
    return json.dumps({
        "python": "%d.%d.%d" % sys.version_info[:3],
        "magic": importlib.util.MAGIC_NUMBER.hex(),
        "files_stock": len(names),
        "files_kept": len(kept),
        "files_dropped": len(dropped),
        "modules_compiled": sum(name.endswith(".pyc") for name in entries),
        "dropped_top_level": top_dropped,
        "dropped_files": sorted(name for name in dropped
                                if name.split("/", 1)[0].removesuffix(".py") not in drop_top),
    })
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
    let message = error?.message ?? String(error);
    // A SystemExit raised on purpose in the Python below carries the whole message.
    const exit = message.match(/\nSystemExit: \[[a-z]+\] ([\s\S]*)$/);
    if (exit) message = exit[1].trim();
    throw new StepError(name, message);
  }
}

async function importPyodide(pyodideDir) {
  const entry = join(pyodideDir, "pyodide.mjs");
  try {
    return await import(pathToFileURL(entry).href);
  } catch (error) {
    throw new StepError(
      "load",
      `cannot import ${entry} (${error.message}); run \`npm ci\` in the project root`,
    );
  }
}

async function startPyodide(loadPyodide, pyodideDir, stdLibURL, env = {}) {
  const options = {
    indexURL: pyodideDir + "/",
    env,
    // Python's output must not mix with the JSON summary on stdout.
    stdout: (line) => process.stderr.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  };
  if (stdLibURL) options.stdLibURL = stdLibURL;
  const pyodide = await loadPyodide(options);
  pyodide.runPython(PYTHON, { globals: pyodide.globals });
  return pyodide;
}

// What the site does with Pyodide, then the calculators' imports; returns the stdlib files loaded.
async function exercise(pyodide) {
  const wheel = pyodide.runPython("tiny_wheel()").toJs();
  const site = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(wheel, "wheel", { extractDir: site });
  await pyodide.loadPackagesFromImports("import json, tracewheel");
  const value = await pyodide.runPythonAsync(
    [
      "import asyncio, importlib, importlib.metadata",
      "importlib.invalidate_caches()",
      "import tracewheel",
      "assert importlib.metadata.version('tracewheel') == '1.0'",
      "await asyncio.sleep(0)",
      "tracewheel.VALUE",
    ].join("\n"),
  );
  if (value !== 42) throw new Error(`the traced wheel returned ${value}, not 42`);
  pyodide.globals.set("calculator_stdlib", pyodide.toPy(CALCULATOR_STDLIB));
  const failed = JSON.parse(pyodide.runPython("json.dumps(import_all(calculator_stdlib))"));
  if (Object.keys(failed).length) {
    const listed = Object.entries(failed).map(([name, why]) => `${name}: ${why}`).join("; ");
    throw new Error(`cannot import ${listed}`);
  }
  return JSON.parse(pyodide.runPython("json.dumps(loaded_stdlib_files())"));
}

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      "pyodide-dir": { type: "string" },
    },
  });
  if (!values.out) throw new StepError("arguments", "--out <file.zip> is required");
  const here = dirname(fileURLToPath(import.meta.url));
  const pyodideDir = resolve(values["pyodide-dir"] ?? join(here, "..", "node_modules", "pyodide"));
  const out = resolve(values.out);
  const { loadPyodide, version } = await importPyodide(pyodideDir);

  const stock = await step("load", () =>
    startPyodide(loadPyodide, pyodideDir, undefined, { PYTHONNODEBUGRANGES: "1" }),
  );
  const needed = await step("trace", () => exercise(stock));
  const summary = await step("trim", async () => {
    stock.globals.set("rules_json", JSON.stringify({
      drop_top: DROP_TOP, drop_paths: DROP_PATHS, keep_encodings: KEEP_ENCODINGS,
      junk: JUNK.source,
    }));
    stock.globals.set("needed_json", JSON.stringify(needed));
    return JSON.parse(stock.runPython(
      "trim_and_compile(rules_json, needed_json, '/tmp/python_stdlib.zip')",
    ));
  });
  await step("write", () => writeFile(out, stock.FS.readFile("/tmp/python_stdlib.zip")));

  await step("check", async () => {
    const trimmed = await startPyodide(loadPyodide, pyodideDir, out);
    const loaded = await exercise(trimmed);
    const source = Object.keys(loaded).filter((name) => !name.endsWith(".pyc"));
    if (source.length) throw new Error(`modules loaded from source, not bytecode: ${source}`);
  });

  const stockBytes = (await readFile(join(pyodideDir, "python_stdlib.zip"))).length;
  const outBytes = (await readFile(out)).length;
  process.stdout.write(JSON.stringify({
    pyodide: version, bytes_stock: stockBytes, bytes_out: outBytes, ...summary,
  }, null, 2) + "\n");
}

try {
  await main();
} catch (error) {
  const message = error instanceof StepError ? error.message : `[unexpected] ${error.stack ?? error}`;
  process.stderr.write(`precompile_stdlib: ${message}\n`);
  process.exit(1);
}
