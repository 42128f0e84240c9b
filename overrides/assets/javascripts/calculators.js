// Page side of the calculators: a thin layer over one Pyodide Web Worker per tab.
//
// Each calculator is a <section data-calculator="NAME" data-state="..."> rendered at build time
// with its result already showing (see ../../../calculators/contracts/worker-protocol.md and the
// page contract). This module only starts the worker on pages that have a calculator, sends it
// the form's inputs, and swaps in the HTML the worker's Python renders. Inputs from the URL are
// untrusted: they are validated by the same Python as the form and only ever set as values or
// text, never as HTML.

import { announce, copyText, flash } from "./clipboard.js";
import { pageInfo } from "./links.js";

const SITE_ROOT = new URL("../../", import.meta.url);
const START_TIMEOUT_MS = 30000;
const INPUT_DELAY_MS = 120;

const engine = {
  worker: null,
  state: "idle", // idle | loading | ready | error
  reason: "",
  nextId: 1,
  replies: new Map(),
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
  if (typeof Worker === "undefined") {
    failEngine("this browser cannot run background workers");
    return;
  }
  engine.state = "loading";
  try {
    engine.worker = new Worker(new URL("./calculator-worker.js", import.meta.url), {
      type: "module",
      name: "calculators",
    });
  } catch (error) {
    failEngine("this browser cannot start the calculator engine");
    return;
  }
  engine.worker.onmessage = receiveFromEngine;
  engine.worker.onerror = (event) => {
    event.preventDefault();
    failEngine("the calculator engine could not be loaded");
  };
  engine.timer = setTimeout(() => {
    if (engine.state === "loading") {
      failEngine(`the calculator engine did not start within ${START_TIMEOUT_MS / 1000} seconds`);
    }
  }, START_TIMEOUT_MS);
  engine.worker.postMessage({
    type: "init",
    base: SITE_ROOT.href,
    pyodide: runtime.pyodide,
    stdlib: runtime.stdlib,
    wheel: runtime.wheel,
    catalogue: runtime.catalogue,
  });
}

function failEngine(reason) {
  clearTimeout(engine.timer);
  engine.state = "error";
  engine.reason = reason;
  if (engine.worker) engine.worker.terminate();
  for (const calculator of engine.calculators) showUnavailable(calculator);
}

function receiveFromEngine(event) {
  const message = event.data;
  if (message.type === "ready") {
    clearTimeout(engine.timer);
    engine.state = "ready";
    window.kbCalculatorEngine = { python: message.python, startedInMs: message.elapsed_ms };
    for (const calculator of engine.calculators) becomeReady(calculator);
  } else if (message.type === "failed") {
    failEngine(message.reason);
  } else if (message.type === "result") {
    const reply = engine.replies.get(message.id);
    engine.replies.delete(message.id);
    if (reply) reply(message.result);
  }
}

function askEngine(calculator, params) {
  const id = engine.nextId++;
  engine.replies.set(id, (result) => showResult(calculator, result, id));
  calculator.latestRequest = id;
  engine.worker.postMessage({
    type: "evaluate",
    id,
    widget: calculator.element.dataset.calculator,
    params,
    today: calculator.element.dataset.today,
  });
}

// ---- one calculator ---------------------------------------------------------------------------

function attachCalculator(element) {
  if (element.kbCalculator) return element.kbCalculator;
  const calculator = {
    element,
    form: element.querySelector("form"),
    result: element.querySelector('[data-role="result"]'),
    status: element.querySelector('[data-role="status"]'),
    manual: element.querySelector('[data-role="manual"]'),
    waitingParams: null,
    hasResult: true,
    params: null,
    text: readBuildText(element),
    latestRequest: 0,
    inputTimer: null,
  };
  element.kbCalculator = calculator;
  engine.calculators.add(calculator);

  const linked = paramsFromUrl(element);
  if (linked) {
    fillForm(calculator, linked);
    calculator.waitingParams = linked;
    calculator.hasResult = false;
    calculator.text = []; // the published result was for other inputs
    calculator.result.replaceChildren(textParagraph("Calculating the result for the link's inputs…"));
  }
  calculator.form.addEventListener("input", () => scheduleEvaluation(calculator));
  calculator.form.addEventListener("change", () => scheduleEvaluation(calculator));
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
  setState(calculator, "ready", "Live: the result updates as you change the inputs.");
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
      textParagraph("This link's result cannot be calculated in this browser right now."),
    );
  }
  if (calculator.manual) calculator.manual.open = true;
}

function scheduleEvaluation(calculator) {
  clearTimeout(calculator.inputTimer);
  calculator.inputTimer = setTimeout(() => evaluateNow(calculator, readForm(calculator)), INPUT_DELAY_MS);
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

function showResult(calculator, result, id) {
  if (id !== calculator.latestRequest) return; // an older answer arrived after a newer request
  clearFieldErrors(calculator);
  if (result.errors.length > 0) {
    for (const error of result.errors) showFieldError(calculator, error);
    calculator.result.dataset.stale = "true";
    const whole = result.errors.find((error) => !fieldControl(calculator, error.field));
    if (!calculator.hasResult) {
      calculator.result.replaceChildren(textParagraph("No result yet: correct the highlighted input."));
    }
    setState(
      calculator,
      "ready",
      whole
        ? whole.message
        : calculator.hasResult
          ? "Correct the highlighted input; the result below is for your last valid inputs."
          : "Correct the highlighted input to see a result.",
    );
    return;
  }
  // Trusted: rendered by calculators/render.py, which escapes every value.
  calculator.result.innerHTML = result.html;
  delete calculator.result.dataset.stale;
  calculator.hasResult = true;
  calculator.params = result.params;
  calculator.text = result.text;
  setState(calculator, "ready", "Live: the result updates as you change the inputs.");
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

function readForm(calculator) {
  const params = {};
  for (const control of calculator.form.elements) {
    if (!control.name) continue;
    if (control.type === "checkbox") {
      const chosen = params[control.name] ? params[control.name].split(",") : [];
      if (control.checked) chosen.push(control.value);
      params[control.name] = chosen.join(",");
    } else {
      params[control.name] = control.value;
    }
  }
  return params;
}

function fieldNames(element) {
  return new Set(
    Array.from(element.querySelectorAll("[name]"), (control) => control.getAttribute("name")),
  );
}

function paramsFromUrl(element) {
  const url = new URL(window.location.href);
  if (url.search === "") return null;
  const first = document.querySelector("[data-calculator]");
  const aimed = url.hash ? url.hash.slice(1) === element.id : first === element;
  if (!aimed) return null;
  const names = fieldNames(element);
  const params = {};
  let found = false;
  for (const [name, value] of url.searchParams) {
    if (names.has(name)) {
      params[name] = value;
      found = true;
    }
  }
  return found ? { ...readForm({ form: element.querySelector("form") }), ...params } : null;
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

function linkFor(calculator) {
  const params = calculator.params || readForm(calculator);
  const url = new URL(window.location.href);
  url.search = new URLSearchParams(params).toString();
  url.hash = calculator.element.id;
  return url.href;
}

async function copyLink(calculator, button) {
  const link = linkFor(calculator);
  try {
    await copyText(link);
    calculator.status.textContent = "Link copied: it opens this calculator with these inputs.";
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

// Each input as the reader sees it: its label and the chosen option's words ("" when empty).
export function describeInputs(element, params) {
  const described = [];
  for (const wrapper of element.querySelectorAll("[data-field-name]")) {
    const name = wrapper.dataset.fieldName;
    const value = params[name] ?? "";
    const label = wrapper.querySelector("label, legend");
    const select = wrapper.querySelector("select");
    let shown = value;
    if (select) {
      const option = Array.from(select.options).find((item) => item.value === value);
      shown = option ? option.textContent : value;
    } else if (wrapper.querySelector('input[type="checkbox"]')) {
      shown = Array.from(wrapper.querySelectorAll('input[type="checkbox"]'))
        .filter((box) => value.split(",").includes(box.value))
        .map((box) => box.parentElement.textContent.trim())
        .join(", ");
    }
    described.push({ label: label ? label.textContent.trim() : name, value: shown.trim() });
  }
  return described;
}

// For other modules (feedback, print), by the calculator's element.

// The inputs as the form holds them now.
export function currentInputs(element) {
  return readForm({ form: element.querySelector("form") });
}

// The link that reproduces the calculator's last valid result.
export function calculatorLink(element) {
  return linkFor(element.kbCalculator || { element, form: element.querySelector("form") });
}

// Whether the page was opened from a link carrying this calculator's inputs.
export function openedFromLink(element) {
  return paramsFromUrl(element) !== null;
}

const NOT_YET = "not calculated yet: open the link to see it";

function calculatorReply(calculator, format) {
  const { title: article, permalink } = pageInfo();
  const title = calculator.element.querySelector(".kb-calc__title").textContent.trim();
  const params = calculator.params || readForm(calculator);
  const inputs = describeInputs(calculator.element, params)
    .filter((input) => input.value !== "")
    .map((input) => `${input.label}: ${input.value}`);
  const link = linkFor(calculator);
  if (format === "markdown") {
    return [
      `**${title}** (from [${article}](${permalink}))`,
      "",
      "Inputs:",
      ...inputs.map((line) => `- ${line}`),
      "",
      "Result:",
      ...(calculator.text.length ? calculator.text : [NOT_YET]).map((line) => `- ${line}`),
      "",
      `[Open this calculation](${link})`,
    ].join("\n");
  }
  return [
    `${title} (from "${article}", ${permalink})`,
    `Inputs: ${inputs.join("; ")}`,
    "Result:",
    ...(calculator.text.length ? calculator.text : [NOT_YET]).map((line) => `  ${line}`),
    `Open this calculation: ${link}`,
  ].join("\n");
}

async function copyReply(calculator, button) {
  try {
    await copyText(calculatorReply(calculator, button.dataset.format));
    calculator.status.textContent = "Ticket reply copied: the inputs, the result and the link.";
    flash(button, "Copied");
    announce("Ticket reply copied");
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

function attachAll() {
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

// With instant navigation the theme announces every new page through document$; the worker
// and its loaded engine stay alive across pages.
if (window.document$ && typeof window.document$.subscribe === "function") {
  window.document$.subscribe(() => attachAll());
} else if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", attachAll);
} else {
  attachAll();
}
