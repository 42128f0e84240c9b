// The calculators' Web Worker: runs the calculators package in Pyodide.
// Messages: calculators/contracts/worker-protocol.md. The Python side: calculators/web.py.
//
// Faults: every message gets an answer. A failed start is reported once, as soon as it is
// known (a runtime download that fails is reported at once, not when the page gives up
// waiting), in words a customer can read; the technical detail travels separately, for the
// console. No Python traceback ever goes into a reason.

let evaluateJson = null;
let startReported = false;
// The interpreter's start, begun by "prepare" (from the page head) or by "init".
let interpreter = null;
// Downloads that may fail without ending the start (the snapshot: the normal start follows).
const unwatchedFetch = self.fetch.bind(self);

// Each step of the start, named by what the reader would lose if it fails.
const STEP_RUNTIME = "the Python runtime could not be loaded";
const STEP_STDLIB = "the Python runtime could not start (its standard library may be damaged)";
const STEP_WHEEL = "the calculators package is damaged and could not be installed";
const STEP_SESSION = "the calculators could not read this page's plan catalogue";

// Why a start failed: the reason for the reader and the detail for the console.
class StartFailure extends Error {
  constructor(reason, detail) {
    super(reason);
    this.reason = reason;
    this.detail = detail;
  }
}

function fileName(url) {
  return new URL(url).pathname.split("/").pop();
}

// A download the start needs that fails (network error, blocked, HTTP error) ends the start
// at once; Pyodide itself may otherwise wait for it forever.
function watchDownloads() {
  self.fetch = async (resource, options) => {
    const url = new URL(resource instanceof Request ? resource.url : String(resource), self.location.href);
    let response;
    try {
      response = await unwatchedFetch(resource, options);
    } catch (error) {
      reportStartFailure(
        new StartFailure(`${fileName(url)} could not be downloaded (the connection failed or was blocked)`,
          `${url.href}: ${describe(error)}`),
      );
      throw error;
    }
    if (!response.ok) {
      reportStartFailure(
        new StartFailure(`${fileName(url)} could not be downloaded (the server answered ${response.status})`,
          `${url.href}: HTTP ${response.status}`),
      );
    }
    return response;
  };
}

function describe(error) {
  return String((error && (error.stack || error.message)) || error);
}

function reportStartFailure(failure) {
  if (startReported || evaluateJson !== null) return;
  startReported = true;
  self.postMessage({ type: "failed", reason: failure.reason, detail: failure.detail || "" });
}

async function step(reason, work) {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StartFailure) throw error;
    throw new StartFailure(reason, describe(error));
  }
}

// The interpreter as macros/make_snapshot.mjs left it: calculators imported and warmed up.
// Pyodide refuses a snapshot of another build of itself; the marker holds a hash of the wheel
// and of the standard library it was made from, and the site must serve those very bytes now
// (the wheel is downloaded for that, so a damaged or blocked one is found as in a normal start).
// Any doubt, and the worker starts the normal way.
async function startFromSnapshot(loadPyodide, options, message) {
  if (!self.crypto || !self.crypto.subtle) throw new Error("no SubtleCrypto to check it with");
  const [memory, wheel] = await Promise.all([
    downloadSnapshot(new URL(message.snapshot, message.base).href),
    fetch(new URL(message.wheel, message.base).href).then((response) => response.arrayBuffer()),
  ]);
  const pyodide = await loadPyodide({ ...options, _loadSnapshot: memory });
  const marker = JSON.parse(pyodide.globals.get("KB_SNAPSHOT") || "{}");
  if (marker.wheel_sha256 !== (await sha256(wheel))) {
    throw new Error(`the snapshot was made from another wheel (${marker.wheel})`);
  }
  if (marker.stdlib_sha256 !== pyodide.runPython("kb_stdlib_sha256()")) {
    throw new Error(`the snapshot was made from another standard library (${marker.stdlib})`);
  }
  return pyodide;
}

async function downloadSnapshot(url) {
  const response = await unwatchedFetch(url);
  if (!response.ok) throw new Error(`the snapshot answered HTTP ${response.status}`);
  let memory = new Uint8Array(await response.arrayBuffer());
  // Stored gzipped; a host that sends it with Content-Encoding: gzip has inflated it already.
  if (memory[0] === 0x1f && memory[1] === 0x8b) {
    const inflated = new Blob([memory]).stream().pipeThrough(new DecompressionStream("gzip"));
    memory = new Uint8Array(await new Response(inflated).arrayBuffer());
  }
  return memory;
}

async function sha256(bytes) {
  const digest = new Uint8Array(await self.crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function startNormally(loadPyodide, options, message) {
  const pyodide = await step(STEP_STDLIB, () => loadPyodide(options));
  await step(STEP_WHEEL, async () => {
    const wheel = await fetch(new URL(message.wheel, message.base).href);
    if (!wheel.ok) throw new StartFailure(`the calculators package could not be downloaded (the server answered ${wheel.status})`);
    pyodide.unpackArchive(await wheel.arrayBuffer(), "wheel");
    pyodide.runPython("import calculators.web");
  });
  return pyodide;
}

// Everything but the page's catalogue: "prepare" may begin it before the page is parsed.
async function startInterpreter(message) {
  const runtimeUrl = new URL(message.pyodide, message.base).href;
  const { loadPyodide } = await step(STEP_RUNTIME, () => import(new URL("pyodide.mjs", runtimeUrl).href));
  const options = { indexURL: runtimeUrl, stdLibURL: new URL(message.stdlib, message.base).href };
  if (message.snapshot && typeof DecompressionStream === "function") {
    try {
      return { pyodide: await startFromSnapshot(loadPyodide, options, message), how: "snapshot" };
    } catch (error) {
      const how = `normal (snapshot not used: ${describe(error).split("\n")[0]})`;
      return { pyodide: await startNormally(loadPyodide, options, message), how };
    }
  }
  return { pyodide: await startNormally(loadPyodide, options, message), how: "normal" };
}

function prepare(message) {
  if (interpreter === null) {
    interpreter = { started: performance.now(), promise: startInterpreter(message) };
    interpreter.promise.catch(() => {}); // reported when "init" awaits it
  }
  return interpreter;
}

async function start(message) {
  const { started, promise } = prepare(message);
  const { pyodide, how } = await promise;
  evaluateJson = await step(STEP_SESSION, () => {
    const session = pyodide.runPython("from calculators.web import session; session");
    return session(JSON.stringify(message.catalogue));
  });
  const python = pyodide.runPython("import sys; sys.version.split()[0]");
  return { elapsed_ms: Math.round(performance.now() - started), python, start: how };
}

async function handleInit(message) {
  try {
    const info = await start(message);
    if (!startReported) self.postMessage({ type: "ready", ...info });
  } catch (error) {
    reportStartFailure(error instanceof StartFailure ? error : new StartFailure(STEP_RUNTIME, describe(error)));
  }
}

function handleEvaluate(message) {
  if (evaluateJson === null) {
    self.postMessage({ type: "error", id: message.id, reason: "the calculator engine is not running" });
    return;
  }
  const text = evaluateJson(message.widget, JSON.stringify(message.params), message.today);
  self.postMessage({ type: "result", id: message.id, result: JSON.parse(text) });
}

self.onmessage = async (event) => {
  const message = event.data || {};
  try {
    if (message.type === "prepare") prepare(message);
    else if (message.type === "init") await handleInit(message);
    else if (message.type === "evaluate") handleEvaluate(message);
    else if (message.type === "ping") self.postMessage({ type: "pong", id: message.id });
    else self.postMessage({ type: "error", id: message.id, reason: "the calculator engine received an unknown request" });
  } catch (error) {
    // A Python exception or anything unexpected: the request is answered, without the detail.
    self.postMessage({
      type: "error",
      id: message.id,
      reason: "the calculator could not compute this result",
      detail: describe(error),
    });
  }
};

watchDownloads();
