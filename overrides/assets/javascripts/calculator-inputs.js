// The calculators' inputs as a form holds them and as a link carries them, for the engine
// (calculator-engine.js) and for the feedback form (feedback.js): plain DOM reads, no engine.
// The URL holds the inputs of the calculator changed last (`calculator=<id>` names it; the hash
// is its id too, for older links).

const CALCULATOR_PARAM = "calculator";

export function readControls(form, current) {
  const params = {};
  for (const control of form.elements) {
    if (!control.name) continue;
    if (control.type === "checkbox") {
      const chosen = params[control.name] ? params[control.name].split(",") : [];
      if (current ? control.checked : control.defaultChecked) chosen.push(control.value);
      params[control.name] = chosen.join(",");
    } else if (current) {
      params[control.name] = control.value;
    } else if (control.tagName === "SELECT") {
      const chosen = Array.from(control.options).find((option) => option.defaultSelected);
      params[control.name] = (chosen || control.options[0] || { value: "" }).value;
    } else {
      params[control.name] = control.defaultValue;
    }
  }
  return params;
}

function fieldNames(element) {
  return new Set(
    Array.from(element.querySelectorAll("[name]"), (control) => control.getAttribute("name")),
  );
}

function aimedAt(url, element) {
  const named = url.searchParams.get(CALCULATOR_PARAM);
  if (named) return named === element.id;
  const hashed = url.hash ? document.getElementById(decodeURIComponent(url.hash.slice(1))) : null;
  if (hashed && hashed.matches("[data-calculator]")) return hashed === element;
  return document.querySelector("[data-calculator]") === element;
}

export function paramsFromUrl(element) {
  const url = new URL(window.location.href);
  if (url.search === "" || !aimedAt(url, element)) return null;
  const names = fieldNames(element);
  const params = {};
  let found = false;
  for (const [name, value] of url.searchParams) {
    if (names.has(name)) {
      params[name] = value;
      found = true;
    }
  }
  return found ? { ...readControls(element.querySelector("form"), true), ...params } : null;
}

export function linkFor(element, params) {
  const url = new URL(window.location.href);
  url.search = new URLSearchParams({ [CALCULATOR_PARAM]: element.id, ...params }).toString();
  url.hash = element.id;
  return url.href;
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
  return readControls(element.querySelector("form"), true);
}

// The link that opens the calculator with the inputs showing.
export function calculatorLink(element) {
  return linkFor(element, currentInputs(element));
}

// Whether the page's address carries this calculator's inputs (a link, or the reader's changes).
export function openedFromLink(element) {
  return paramsFromUrl(element) !== null;
}
