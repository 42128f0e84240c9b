// Calculator pages only (overrides/main.html puts this in their head): start the calculators'
// worker at once, before the theme and the page's modules load and run, so Pyodide downloads and
// starts meanwhile. The worker is told where the runtime is ("prepare"); calculators.js adopts
// it, replays what it said before then, and sends the page's catalogue ("init"). A page reached
// by instant navigation runs no head script: calculators.js starts its own worker then, once.

(function startCalculatorWorker() {
  const script = document.currentScript;
  if (!script || window.kbEarlyEngine || typeof Worker === "undefined") return;
  let worker;
  try {
    worker = new Worker(new URL("calculator-worker.js", script.src), { type: "module", name: "calculators" });
  } catch (error) {
    return; // calculators.js tries again and says why it cannot
  }
  const early = { worker, messages: [], errors: [] };
  worker.onmessage = (event) => early.messages.push(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    early.errors.push(event);
  };
  const runtime = script.dataset;
  worker.postMessage({
    type: "prepare",
    base: new URL("../../", script.src).href,
    pyodide: runtime.kbPyodide,
    stdlib: runtime.kbStdlib,
    wheel: runtime.kbWheel,
    snapshot: runtime.kbSnapshot || "",
  });
  window.kbEarlyEngine = early;
})();
