// The reader's currency for the whole site: every price, table, worked example and calculator.
//
// Pages are rendered at build time in every catalogue currency (macros/currency.py): an inline
// figure is a <span class="kb-money" data-currency="USD" data-currency-eur="€27.00" ...> and a
// worked example is one <section class="kb-currency" data-currency="..."> per currency, all but one
// hidden. This module only picks one: from `?currency=EUR` (a support agent's link), else the
// reader's earlier choice (localStorage), else the catalogue's default; then it copies that
// currency's text into every figure, shows that currency's blocks, marks <html> with the
// choice (`data-kb-currency`, class `kb-currency-eur`) and sets every calculator's currency
// field. Without JavaScript the default currency shows and the control stays hidden.

import { onEveryPage } from "./every-page.js";

const STORAGE_KEY = "kb-currency";
const PARAMETER = "currency";
const CLASS_PREFIX = "kb-currency-";

function control() {
  return document.querySelector("[data-kb-currency-control]");
}

// The catalogue's currencies, as the header's control offers them.
function offeredCurrencies() {
  const form = control();
  if (!form) return [];
  return Array.from(form.querySelectorAll("option"), (option) => option.value);
}

function defaultCurrency() {
  const form = control();
  return form ? form.dataset.default : "";
}

// An untrusted code (URL, storage): used only when the catalogue offers it.
function offered(code) {
  if (typeof code !== "string") return null;
  const upper = code.trim().toUpperCase();
  return offeredCurrencies().includes(upper) ? upper : null;
}

function stored() {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch (error) {
    return null; // storage blocked: the choice lasts for this page only
  }
}

function remember(code) {
  try {
    window.localStorage.setItem(STORAGE_KEY, code);
  } catch (error) {
    // storage blocked: nothing to keep
  }
}

export function chosenCurrency() {
  return document.documentElement.dataset.kbCurrency || defaultCurrency();
}

function initialCurrency() {
  const linked = offered(new URL(window.location.href).searchParams.get(PARAMETER));
  if (linked) {
    remember(linked);
    return linked;
  }
  return offered(stored()) || defaultCurrency();
}

function markDocument(code) {
  const root = document.documentElement;
  for (const name of Array.from(root.classList)) {
    if (name.startsWith(CLASS_PREFIX)) root.classList.remove(name);
  }
  root.classList.add(CLASS_PREFIX + code.toLowerCase());
  root.dataset.kbCurrency = code;
}

function showFigures(code) {
  const attribute = `data-currency-${code.toLowerCase()}`;
  for (const figure of document.querySelectorAll("span.kb-money[data-currency]")) {
    const text = figure.getAttribute(attribute);
    if (text === null) continue;
    figure.textContent = text;
    figure.dataset.currency = code;
  }
}

function showBlocks(code) {
  const groups = new Set();
  for (const block of document.querySelectorAll(".kb-currency[data-currency]")) {
    groups.add(block.parentElement);
  }
  for (const group of groups) {
    const blocks = Array.from(group.children).filter((child) => child.matches(".kb-currency"));
    if (!blocks.some((block) => block.dataset.currency === code)) continue;
    for (const block of blocks) block.hidden = block.dataset.currency !== code;
  }
}

// Each calculator's currency field follows the choice; the "change" event makes calculators.js
// recompute (or, before the engine is ready, mark the result as stale until it can).
function setCalculators(code) {
  for (const field of document.querySelectorAll('[data-calculator] select[name="currency"]')) {
    if (field.value === code) continue;
    if (!Array.from(field.options).some((option) => option.value === code)) continue;
    field.value = code;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }
}

function showControl(code) {
  const form = control();
  if (!form) return;
  form.querySelector("select").value = code;
  form.hidden = false;
}

function apply(code) {
  markDocument(code);
  showFigures(code);
  showBlocks(code);
  showControl(code);
}

// A link carrying `?currency=` keeps saying so after the reader picks another one.
function updateAddress(code) {
  const url = new URL(window.location.href);
  if (!url.searchParams.has(PARAMETER)) return;
  url.searchParams.set(PARAMETER, code);
  window.history.replaceState(window.history.state, "", url.href);
}

export function chooseCurrency(code) {
  const known = offered(code);
  if (!known || known === chosenCurrency()) return;
  remember(known);
  updateAddress(known);
  apply(known);
  setCalculators(known);
}

function listen() {
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLSelectElement) || target.name !== PARAMETER) return;
    // The header's control, or a calculator's own currency field: one currency for the site.
    if (target.closest("[data-kb-currency-control], [data-calculator]")) {
      chooseCurrency(target.value);
    }
  });
  document.addEventListener("submit", (event) => {
    if (event.target instanceof Element && event.target.matches("[data-kb-currency-control]")) {
      event.preventDefault();
    }
  });
}

function applyToPage() {
  const code = document.documentElement.dataset.kbCurrency || initialCurrency();
  if (code) apply(code);
}

// Runs before calculators.js (listed first in mkdocs.yml), so a calculator that attaches finds
// the choice on <html>. Instant navigation swaps the content without a reload: document$
// announces every new page, and the choice is applied to it again.
if (offeredCurrencies().length > 0) markDocument(initialCurrency());
listen();
onEveryPage(applyToPage);
