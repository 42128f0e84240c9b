// The calculators' Web Worker: runs the calculators package in Pyodide.
// Messages: calculators/contracts/worker-protocol.md. The Python side: calculators/web.py.

let evaluateJson = null;

async function start(message) {
  const started = performance.now();
  const runtimeUrl = new URL(message.pyodide, message.base).href;
  const { loadPyodide } = await import(new URL("pyodide.mjs", runtimeUrl).href);
  const pyodide = await loadPyodide({
    indexURL: runtimeUrl,
    stdLibURL: new URL(message.stdlib, message.base).href,
  });
  const wheel = await fetch(new URL(message.wheel, message.base).href);
  if (!wheel.ok) {
    throw new Error(`the calculators package could not be downloaded (HTTP ${wheel.status})`);
  }
  pyodide.unpackArchive(await wheel.arrayBuffer(), "wheel");
  const session = pyodide.runPython("from calculators.web import session; session");
  evaluateJson = session(JSON.stringify(message.catalogue));
  const python = pyodide.runPython("import sys; sys.version.split()[0]");
  return { elapsed_ms: Math.round(performance.now() - started), python };
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "init") {
    try {
      const info = await start(message);
      self.postMessage({ type: "ready", ...info });
    } catch (error) {
      self.postMessage({ type: "failed", reason: String((error && error.message) || error) });
    }
  } else if (message.type === "evaluate") {
    if (evaluateJson === null) {
      self.postMessage({ type: "failed", reason: "the calculator engine is not running" });
      return;
    }
    const text = evaluateJson(message.widget, JSON.stringify(message.params), message.today);
    self.postMessage({ type: "result", id: message.id, result: JSON.parse(text) });
  }
};
