// Page side of the calculators: a thin layer over one Pyodide Web Worker per tab, loaded by
// calculators.js on pages that have a calculator.
//
// Each calculator is a <section data-calculator="NAME" data-state="..."> rendered at build time
// with its result already showing (see ../../../calculators/contracts/worker-protocol.md and the
// page contract). This module only starts the worker on pages that have a calculator, sends it
// the form's inputs, and swaps in the HTML the worker's Python renders. Inputs from the URL are
// untrusted: they are validated by the same Python as the form and only ever set as values or
// text, never as HTML.

import { announce, copyText, flash } from "./clipboard.js";
import { describeInputs, linkFor, paramsFromUrl, readControls } from "./calculator-inputs.js";
import { pageInfo } from "./links.js";

const SITE_ROOT = new URL("../../", import.meta.url);
const START_TIMEOUT_MS = 30000;
// Typing waits for a pause this long, so a half-typed number is not computed; a choice (select,
// checkbox, radio, date) is complete when made and is computed at once.
const TYPING_DELAY_MS = 120;
const TYPED_INPUT_TYPES = new Set(["text", "number", "search", "email", "tel", "url"]);
// A live engine answers in milliseconds: silence this long means it died or hangs.
const REPLY_TIMEOUT_MS = 15000;
// An answer slower than this: the result showing is marked out of date meanwhile.
const SLOW_REPLY_MS = 1000;
// A worker that dies or hangs is replaced this many times; then the calculators say so and stay
// on their published results.
const RESTARTS_ALLOWED = 1;

const LIVE = "Live: the result updates as you change the inputs.";
const LIVE_AGAIN =
  "Live again: the calculator engine stopped and was restarted; the result updates as you " +
  "change the inputs.";

const engine = {
  worker: null,
  state: "idle", // idle | loading | ready | error
  reason: "",
  runtime: null,
  restarts: 0,
  nextId: 1,
  pending: new Map(), // request id -> {calculator, params, timers}
  calculators: new Set(),
  timer: null,
};

function readRuntime() {
  // Inert JSON in an attribute: see macros/widgets.py for why.
  const element = document.querySelector("[data-kb-runtime]");
  if (!element) return null;
  try {
    return JSON.parse(element.dataset.kbRuntime);
  } catch (error) {
    return null;
  }
}

function startEngine(runtime) {
  if (engine.state !== "idle") return;
  engine.runtime = runtime;
  spawnWorker();
}

function spawnWorker() {
  if (typeof Worker === "undefined") {
    failEngine("this browser cannot run background workers");
    return;
  }
  engine.state = "loading";
  // The worker the page head started (calculator-start.js), once; else a new one.
  const early = window.kbEarlyEngine;
  window.kbEarlyEngine = null;
  let worker = early ? early.worker : null;
  try {
    worker = worker || new Worker(new URL("./calculator-worker.js", import.meta.url), {
      type: "module",
      name: "calculators",
    });
  } catch (error) {
    failEngine("this browser cannot start the calculator engine");
    return;
  }
  engine.worker = worker;
  // Messages and errors of a worker already replaced are ignored.
  worker.onmessage = (event) => {
    if (worker === engine.worker) receiveFromEngine(event.data);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    if (worker !== engine.worker) return;
    engineStopped(
      engine.state === "loading"
        ? "the calculator engine could not be loaded"
        : "the calculator engine stopped unexpectedly",
    );
  };
  if (early) {
    for (const message of early.messages) worker.onmessage({ data: message });
    for (const error of early.errors) worker.onerror(error);
    if (worker !== engine.worker || engine.state !== "loading") return; // it failed already
  }
  engine.timer = setTimeout(() => {
    if (engine.state === "loading" && worker === engine.worker) {
      failEngine(`the calculator engine did not start within ${START_TIMEOUT_MS / 1000} seconds`);
    }
  }, START_TIMEOUT_MS);
  const runtime = engine.runtime;
  worker.postMessage({
    type: "init",
    base: SITE_ROOT.href,
    pyodide: runtime.pyodide,
    stdlib: runtime.stdlib,
    wheel: runtime.wheel,
    snapshot: runtime.snapshot || "",
    catalogue: runtime.catalogue,
  });
}

// The worker died or stopped answering: replace it once, re-asking what it left unanswered.
function engineStopped(reason) {
  clearTimeout(engine.timer);
  for (const request of engine.pending.values()) {
    settleTimers(request);
    if (request.id === request.calculator.latestRequest) request.calculator.waitingParams = request.params;
  }
  engine.pending.clear();
  if (engine.worker) engine.worker.terminate();
  if (engine.restarts >= RESTARTS_ALLOWED) {
    failEngine(`${reason}, and again after a restart`);
    return;
  }
  engine.restarts += 1;
  for (const calculator of engine.calculators) {
    setState(calculator, "loading", `${capitalised(reason)}; restarting it…`);
  }
  spawnWorker();
}

function failEngine(reason) {
  clearTimeout(engine.timer);
  for (const request of engine.pending.values()) settleTimers(request);
  engine.pending.clear();
  engine.state = "error";
  engine.reason = reason;
  if (engine.worker) engine.worker.terminate();
  for (const calculator of engine.calculators) showUnavailable(calculator);
}

function receiveFromEngine(message) {
  if (message.type === "ready") {
    clearTimeout(engine.timer);
    engine.state = "ready";
    window.kbCalculatorEngine = {
      python: message.python,
      startedInMs: message.elapsed_ms,
      start: message.start,
      restarts: engine.restarts,
    };
    for (const calculator of engine.calculators) becomeReady(calculator);
  } else if (message.type === "failed") {
    if (message.detail) console.warn(`Calculator engine: ${message.detail}`);
    failEngine(message.reason);
  } else if (message.type === "result" || message.type === "error") {
    const request = engine.pending.get(message.id);
    if (!request) return;
    engine.pending.delete(message.id);
    settleTimers(request);
    if (message.type === "result") showResult(request.calculator, message.result, request);
    else showEngineError(request.calculator, message, request);
  }
}

function settleTimers(request) {
  clearTimeout(request.deadline);
  clearTimeout(request.slow);
}

function askEngine(calculator, params) {
  const id = engine.nextId++;
  calculator.latestRequest = id;
  calculator.askedFor = params;
  const request = {
    id,
    calculator,
    params,
    deadline: setTimeout(() => engineStopped("the calculator engine stopped responding"),
      REPLY_TIMEOUT_MS),
    slow: setTimeout(() => {
      if (calculator.latestRequest === id) calculator.result.dataset.stale = "true";
    }, SLOW_REPLY_MS),
  };
  engine.pending.set(id, request);
  engine.worker.postMessage({
    type: "evaluate",
    id,
    widget: calculator.element.dataset.calculator,
    params,
    today: calculator.element.dataset.today,
  });
}

function liveStatus() {
  return engine.restarts > 0 ? LIVE_AGAIN : LIVE;
}

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- one calculator ---------------------------------------------------------------------------
//
// What the reader sees is always consistent: the result showing is for the inputs showing, or
// it is marked out of date (data-stale) until the engine answers. `resultFor` holds the inputs
// the result showing was computed for; `invalid` the inputs and field errors last reported.

function attachCalculator(element) {
  if (element.kbCalculator) return element.kbCalculator;
  const form = element.querySelector("form");
  const calculator = {
    element,
    form,
    result: element.querySelector('[data-role="result"]'),
    status: element.querySelector('[data-role="status"]'),
    manual: element.querySelector('[data-role="manual"]'),
    waitingParams: null,
    hasResult: true,
    params: null,
    resultFor: publishedInputs(form),
    invalid: null,
    text: readBuildText(element),
    latestRequest: 0,
    askedFor: null,
    inputTimer: null,
  };
  element.kbCalculator = calculator;
  engine.calculators.add(calculator);

  // Inputs from a link, a reload or Back/Forward (the URL), or restored by the browser itself:
  // the published result is for other inputs, so it is replaced by theirs.
  const linked = paramsFromUrl(element);
  if (linked) fillForm(calculator, linked);
  // The site's currency (currency.js marks it on <html>): the calculator opens in it, unless a
  // link says otherwise. The published result is then in another currency and waits too.
  const siteCurrency = document.documentElement.dataset.kbCurrency;
  const currencyField = calculator.form.querySelector('select[name="currency"]');
  const inSiteCurrency = !linked && siteCurrency && currencyField &&
    currencyField.value !== siteCurrency &&
    Array.from(currencyField.options).some((option) => option.value === siteCurrency);
  if (inSiteCurrency) currencyField.value = siteCurrency;
  const showing = readForm(calculator);
  if (!sameInputs(showing, calculator.resultFor)) {
    calculator.waitingParams = showing;
    calculator.hasResult = false;
    calculator.resultFor = null;
    calculator.text = [];
    calculator.result.replaceChildren(textParagraph(inSiteCurrency
      ? `Calculating the result in ${siteCurrency}…`
      : "Calculating the result for these inputs…"));
  }
  const changed = (event) => {
    rememberInputs(calculator);
    if (event.type === "input" && isTyped(event.target)) scheduleEvaluation(calculator);
    else if (event.type === "change") evaluateChange(calculator);
  };
  calculator.form.addEventListener("input", changed);
  calculator.form.addEventListener("change", changed);
  calculator.form.addEventListener("submit", (event) => {
    event.preventDefault();
    evaluateNow(calculator, readForm(calculator));
  });
  const copyButton = element.querySelector('[data-action="copy-link"]');
  if (copyButton) copyButton.addEventListener("click", () => copyLink(calculator, copyButton));
  for (const replyButton of element.querySelectorAll('[data-action="copy-reply"]')) {
    replyButton.addEventListener("click", () => copyReply(calculator, replyButton));
  }

  if (engine.state === "ready") becomeReady(calculator);
  else if (engine.state === "error") showUnavailable(calculator);
  else setState(calculator, "loading", "Starting live recalculation…");
  if (linked) element.scrollIntoView({ block: "start" });
  return calculator;
}

function detachMissingCalculators() {
  for (const calculator of engine.calculators) {
    if (!document.body.contains(calculator.element)) engine.calculators.delete(calculator);
  }
}

function setState(calculator, state, statusText) {
  calculator.element.dataset.state = state;
  if (statusText !== undefined) calculator.status.textContent = statusText;
}

function becomeReady(calculator) {
  setState(calculator, "ready", liveStatus());
  if (calculator.waitingParams) {
    const params = calculator.waitingParams;
    calculator.waitingParams = null;
    askEngine(calculator, params);
  }
}

function showUnavailable(calculator) {
  const hint = calculator.hasResult
    ? "The result shown is for the inputs it was published with."
    : "Use “Work it out by hand” below to compute it yourself.";
  setState(calculator, "error", `Live recalculation is unavailable: ${engine.reason}. ${hint}`);
  if (!calculator.hasResult) {
    calculator.result.replaceChildren(
      textParagraph("This result cannot be calculated in this browser right now."),
    );
  }
  if (calculator.manual) calculator.manual.open = true;
}

function isTyped(control) {
  return control.tagName === "TEXTAREA" ||
    (control.tagName === "INPUT" && TYPED_INPUT_TYPES.has(control.type));
}

function scheduleEvaluation(calculator) {
  clearTimeout(calculator.inputTimer);
  calculator.inputTimer = setTimeout(() => evaluateChange(calculator), TYPING_DELAY_MS);
}

// A committed change (a choice, or typing that paused or left the field): computed now, unless
// these inputs are the ones last asked for (a typed field's change after its pause).
function evaluateChange(calculator) {
  clearTimeout(calculator.inputTimer);
  const params = readForm(calculator);
  if (sameInputs(params, calculator.askedFor)) return;
  evaluateNow(calculator, params);
}

function evaluateNow(calculator, params) {
  if (engine.state === "ready") {
    askEngine(calculator, params);
    return;
  }
  // Until the engine answers, the result showing is for other inputs: say so.
  calculator.result.dataset.stale = "true";
  if (engine.state === "error") {
    calculator.status.textContent =
      `Live recalculation is unavailable: ${engine.reason}. The result below is for the ` +
      "inputs the page was published with; “Work it out by hand” shows how to compute yours.";
  } else {
    calculator.waitingParams = params;
    calculator.status.textContent = "Your result will update as soon as live recalculation starts.";
  }
}

function showResult(calculator, result, request) {
  if (request.id !== calculator.latestRequest) return; // an older answer after a newer request
  clearFieldErrors(calculator);
  if (result.errors.length > 0) {
    calculator.invalid = { params: request.params, errors: result.errors };
    for (const error of result.errors) showFieldError(calculator, error);
    calculator.result.dataset.stale = "true";
    if (!calculator.hasResult) {
      calculator.result.replaceChildren(textParagraph("No result yet: correct the highlighted input."));
    }
    // The status is a live region: the reader hears what to correct.
    const problems = result.errors.map((error) => error.message).join(" ");
    setState(
      calculator,
      "ready",
      calculator.hasResult
        ? `Correct the highlighted input: ${problems} The result below is for your last valid inputs.`
        : `Correct the highlighted input to see a result: ${problems}`,
    );
    return;
  }
  // Trusted: rendered by calculators/web/, which escapes every value.
  calculator.result.innerHTML = result.html;
  delete calculator.result.dataset.stale;
  calculator.hasResult = true;
  calculator.invalid = null;
  calculator.params = result.params;
  calculator.resultFor = request.params;
  calculator.text = result.text;
  setState(calculator, "ready", liveStatus());
}

// The worker answered, but could not compute: the result showing stays, marked out of date.
function showEngineError(calculator, message, request) {
  if (message.detail) console.warn(`Calculator engine: ${message.detail}`);
  if (request.id !== calculator.latestRequest) return;
  calculator.result.dataset.stale = "true";
  setState(
    calculator,
    "ready",
    `This result could not be calculated: ${message.reason}. Change an input to try again, ` +
      "or use “Work it out by hand” below.",
  );
}

function fieldControl(calculator, name) {
  if (!name) return null;
  return calculator.element.querySelector(`[data-field-name="${CSS.escape(name)}"]`);
}

function showFieldError(calculator, error) {
  const wrapper = fieldControl(calculator, error.field);
  if (!wrapper) return;
  const message = wrapper.querySelector(".kb-calc__error");
  message.textContent = error.message;
  message.hidden = false;
  for (const control of wrapper.querySelectorAll("input, select, textarea, fieldset")) {
    control.setAttribute("aria-invalid", "true");
  }
}

function clearFieldErrors(calculator) {
  for (const message of calculator.element.querySelectorAll(".kb-calc__error")) {
    message.textContent = "";
    message.hidden = true;
  }
  for (const control of calculator.element.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
  }
}

// ---- inputs, the URL and links ----------------------------------------------------------------
//
// The URL holds the inputs of the calculator changed last (`calculator=<id>` names it; the hash
// is its id too, for older links): `history.replaceState` on every change, so a reload, Back and
// Forward, and instant navigation back to the page bring them back.

function readForm(calculator) {
  return readControls(calculator.form, true);
}

// The inputs the page was published with (the prerendered result is for these).
function publishedInputs(form) {
  return readControls(form, false);
}

function sameInputs(one, other) {
  if (!one || !other) return false;
  const names = new Set([...Object.keys(one), ...Object.keys(other)]);
  return Array.from(names).every((name) => (one[name] ?? "") === (other[name] ?? ""));
}

function fillForm(calculator, params) {
  for (const control of calculator.form.elements) {
    if (!control.name || !(control.name in params)) continue;
    const value = String(params[control.name]);
    if (control.type === "checkbox") {
      control.checked = value.split(",").includes(control.value);
    } else {
      control.value = value; // a value the control cannot hold is reported by Python
    }
  }
}

function rememberInputs(calculator) {
  // The theme keeps its scroll position in history.state: keep it.
  history.replaceState(history.state, "", linkFor(calculator.element, readForm(calculator)));
}

// What a copy says about the inputs showing: their result, that they are invalid, or that their
// result is not calculated yet.
function onScreen(calculator) {
  const params = readForm(calculator);
  if (calculator.invalid && sameInputs(params, calculator.invalid.params)) {
    return { params, kind: "invalid", errors: calculator.invalid.errors };
  }
  const current = sameInputs(params, calculator.resultFor) && calculator.result.dataset.stale !== "true";
  return { params, kind: current ? "result" : "pending", errors: [] };
}

async function copyLink(calculator, button) {
  const shown = onScreen(calculator);
  const link = linkFor(calculator.element, shown.params);
  const said = {
    result: "Link copied: it opens this calculator with the inputs and result shown.",
    invalid:
      "Link copied, but the inputs shown are not valid: it opens this calculator with them " +
      "and shows what to correct.",
    pending: "Link copied: it opens this calculator with the inputs shown and calculates their result.",
  }[shown.kind];
  try {
    await copyText(link);
    calculator.status.textContent = said;
    flash(button, "Link copied");
  } catch (error) {
    calculator.status.textContent = `Copy this link: ${link}`;
  }
}

function readBuildText(element) {
  try {
    return JSON.parse(element.querySelector('[data-role="result"]').dataset.text || "[]");
  } catch (error) {
    return [];
  }
}

function resultLines(calculator, shown) {
  if (shown.kind === "result") return calculator.text;
  if (shown.kind === "invalid") {
    return ["none: the inputs shown are not valid", ...shown.errors.map((error) => error.message)];
  }
  return ["not calculated yet for these inputs: open the link to see it"];
}

function calculatorReply(calculator, format, shown) {
  const { title: article, permalink } = pageInfo();
  const title = calculator.element.querySelector(".kb-calc__title").textContent.trim();
  const inputs = describeInputs(calculator.element, shown.params)
    .filter((input) => input.value !== "")
    .map((input) => `${input.label}: ${input.value}`);
  const link = linkFor(calculator.element, shown.params);
  const result = resultLines(calculator, shown);
  if (format === "markdown") {
    return [
      `**${title}** (from [${article}](${permalink}))`,
      "",
      "Inputs:",
      ...inputs.map((line) => `- ${line}`),
      "",
      "Result:",
      ...result.map((line) => `- ${line}`),
      "",
      `[Open this calculation](${link})`,
    ].join("\n");
  }
  return [
    `${title} (from "${article}", ${permalink})`,
    `Inputs: ${inputs.join("; ")}`,
    "Result:",
    ...result.map((line) => `  ${line}`),
    `Open this calculation: ${link}`,
  ].join("\n");
}

async function copyReply(calculator, button) {
  const shown = onScreen(calculator);
  const said = {
    result: "Ticket reply copied: the inputs and result shown, and the link.",
    invalid:
      "Ticket reply copied, but the inputs shown are not valid: it says so and has no result.",
    pending: "Ticket reply copied: the inputs shown and the link; their result is not calculated yet.",
  }[shown.kind];
  try {
    await copyText(calculatorReply(calculator, button.dataset.format, shown));
    calculator.status.textContent = said;
    flash(button, "Copied");
    announce(shown.kind === "result" ? "Ticket reply copied" : said);
  } catch (error) {
    calculator.status.textContent = "Copying is not available in this browser.";
  }
}

function textParagraph(text) {
  const paragraph = document.createElement("p");
  paragraph.className = "kb-calc__pending";
  paragraph.textContent = text;
  return paragraph;
}

// ---- every page -------------------------------------------------------------------------------

// Called by calculators.js on every page once this module is loaded (instant navigation
// included): the worker and its loaded engine stay alive across pages.
export function attachAll() {
  detachMissingCalculators();
  const elements = document.querySelectorAll("[data-calculator]");
  if (elements.length === 0) return;
  const runtime = readRuntime();
  for (const element of elements) attachCalculator(element);
  if (engine.state === "idle") {
    if (runtime) startEngine(runtime);
    else failEngine("this page is missing the calculator settings");
  }
}
