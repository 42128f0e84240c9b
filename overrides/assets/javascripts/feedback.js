// "Was this helpful?" at the end of every article, and what printing an article needs.
//
// Feedback: the element rendered by overrides/partials/kb-feedback.html carries its settings as
// data- attributes: data-destination (a mailto: address or a support-form URL) and data-endpoint
// (empty, or a URL each vote is POSTed to as JSON; schema in calculators/contracts/feedback.md).
// Nothing is sent anywhere without the reader's action: nothing at page load (unless live counts
// are switched on: then one GET of the public counts, below); a vote is POSTed
// only when an endpoint is configured and the reader clicks Yes, No or "Prepare a support
// request"; the support request itself is only ever sent by the reader, from their mail program
// or the support form. Reader text is set as values or text, never as HTML.
//
// Counts: "N people found this page helpful" is built into the page from the collector's export
// (data-kb-helpful-count); with data-live-counts="true" it is refreshed by one GET of the
// collector's `counts` beside the endpoint. Searches: with data-collect-searches="true", a search
// that found nothing (the search box dispatches `kb:search-no-results` with {detail: {query}}) is
// POSTed, query only, to the collector's `searches`, once the reader stops typing.
//
// Print: on `beforeprint`, each calculator gets a print-only list of its current inputs, the
// "How this was calculated" steps open, and the article is stamped with its permanent link, its
// last-reviewed date and the print date (overrides/assets/stylesheets/print.css hides the rest);
// `afterprint` puts everything back.

import { calculatorLink, currentInputs, describeInputs, openedFromLink } from "./calculator-inputs.js";
import { copyText } from "./clipboard.js";
import { pageInfo } from "./links.js";
import { onEveryPage } from "./every-page.js";

const SCHEMA = "kb-feedback/1";
const SEARCH_SCHEMA = "kb-search/1";
const SEARCH_SETTLE_MS = 1500; // a query is sent once the reader has stopped typing this long
const PRINT_MARK = "kbPrint"; // data-kb-print on every element added for printing only

// Calculators the reader changed on this page (instant navigation replaces the elements).
const changedCalculators = new WeakSet();

// ---- calculators the reader used --------------------------------------------------------------

function noteCalculatorChange(event) {
  const target = event.target;
  if (!(target instanceof Element) || !target.closest("form")) return;
  const calculator = target.closest("[data-calculator]");
  if (calculator) changedCalculators.add(calculator);
}

function usedCalculators(within) {
  const scope = (within && within.closest("article")) || document;
  return Array.from(scope.querySelectorAll("[data-calculator]")).filter(
    (calculator) => changedCalculators.has(calculator) || openedFromLink(calculator),
  );
}

// ---- settings ---------------------------------------------------------------------------------

// Where a prepared support request goes: read from an element's data-destination (also used by
// the search dialog, search.js).
export function destinationOf(element) {
  const value = (element.dataset.destination || "").trim();
  if (/^mailto:/i.test(value)) return { kind: "email", href: value };
  try {
    const url = new URL(value);
    if (url.protocol === "https:" || url.protocol === "http:") return { kind: "form", href: url.href };
  } catch (error) {
    // not a URL: no destination
  }
  return null;
}

function endpointOf(element) {
  const value = (element.dataset.endpoint || "").trim();
  if (!value) return null;
  try {
    const url = new URL(value, window.location.href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch (error) {
    return null;
  }
}

// The collector's other resources sit beside the vote endpoint: …/votes, …/counts, …/searches.
function collectorUrl(element, resource) {
  const endpoint = endpointOf(element);
  return endpoint ? new URL(resource, endpoint).href : null;
}

// ---- the support request ----------------------------------------------------------------------

function supportRequest(info, reason, comment, calculators) {
  const links = calculators.map(calculatorLink);
  const subject = `Help center: ${info.title} (${reason.label})`;
  const lines = ["Hello,", "", "The help center article below did not answer my question.", ""];
  lines.push(`Article: ${info.title}`, `Permanent link: ${info.permalink}`);
  if (info.section) lines.push(`Section: ${info.section}`);
  if (info.reviewed) lines.push(`Last reviewed: ${info.reviewed}`);
  lines.push(`Reason: ${reason.label}`);
  for (const link of links) lines.push(`Calculator with my inputs: ${link}`);
  lines.push("", "My comment:", comment || "(none)");
  const fields = {
    article: info.permalink,
    title: info.title,
    section: info.section,
    reviewed: info.reviewed,
    reason: reason.code,
    comment,
    subject,
  };
  return { subject, body: lines.join("\n"), fields, calculators: links };
}

// The link that opens a prepared request ({subject, body, fields, calculators}) at its
// destination: a mailto: with subject and body, or the support form with the fields.
export function destinationHref(destination, request) {
  if (destination.kind === "email") {
    const separator = destination.href.includes("?") ? "&" : "?";
    const body = request.body.replace(/\n/g, "\r\n");
    return (
      `${destination.href}${separator}subject=${encodeURIComponent(request.subject)}` +
      `&body=${encodeURIComponent(body)}`
    );
  }
  const url = new URL(destination.href);
  for (const [name, value] of Object.entries(request.fields)) url.searchParams.set(name, value);
  url.searchParams.delete("calculator");
  for (const link of request.calculators) url.searchParams.append("calculator", link);
  return url.href;
}

// ---- the vote ---------------------------------------------------------------------------------

function newVoteId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function voteRecord(widget) {
  const info = pageInfo();
  return {
    schema: SCHEMA,
    id: widget.voteId,
    helpful: widget.vote === "yes",
    reason: widget.vote === "no" ? widget.reason : null,
    page: info.permalink,
    title: info.title,
    section: info.section,
    reviewed: info.reviewed,
    calculators: usedCalculators(widget.element).map((calculator) => calculator.id),
    sent_at: new Date().toISOString(),
  };
}

// Called only from the reader's clicks.
function postVote(widget) {
  const endpoint = endpointOf(widget.element);
  if (endpoint && widget.vote) postJson(endpoint, voteRecord(widget));
}

// A POST of JSON that never bothers the reader when it fails.
function postJson(url, record) {
  try {
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(record),
      keepalive: true,
      credentials: "omit",
    }).catch(() => {});
  } catch (error) {
    // a browser without fetch or keepalive: nothing is counted
  }
}

// ---- counts -----------------------------------------------------------------------------------

function helpfulCountOf(element) {
  const scope = element.closest("article") || document;
  return scope.querySelector("[data-kb-helpful-count]");
}

// The sentence's two forms come from the partial, so a refreshed count reads like a built one.
function showHelpfulCount(counter, helpful) {
  counter.dataset.kbHelpfulCount = String(helpful);
  counter.textContent =
    helpful === 1 ? counter.dataset.countOne : counter.dataset.countMany.replace("{count}", helpful);
  counter.hidden = helpful < 1;
}

async function refreshHelpfulCount(element) {
  const counter = helpfulCountOf(element);
  const url = collectorUrl(element, "counts");
  if (!counter || !url || element.dataset.liveCounts !== "true") return;
  try {
    const response = await fetch(url, { credentials: "omit" });
    if (!response.ok) return;
    const path = new URL(pageInfo().permalink, window.location.href).pathname;
    const entry = ((await response.json()).pages || {})[path];
    const helpful = entry && Number.isInteger(entry.helpful) ? entry.helpful : 0;
    // The browser may hold a counts answer (cached for a minute) older than this page's build:
    // a count is only ever raised by it, never lowered.
    if (helpful > Number(counter.dataset.kbHelpfulCount || 0)) showHelpfulCount(counter, helpful);
  } catch (error) {
    // the built-in count stays
  }
}

// ---- searches that found nothing ---------------------------------------------------------------

const searches = { timer: 0, sent: new Set() };

function noteSearchWithoutResults(event) {
  const query = String((event.detail && event.detail.query) || "").trim();
  const element = document.querySelector("[data-kb-feedback]");
  if (!query || !element || element.dataset.collectSearches !== "true") return;
  const url = collectorUrl(element, "searches");
  if (!url) return;
  clearTimeout(searches.timer);
  searches.timer = setTimeout(() => {
    const key = query.toLowerCase();
    if (searches.sent.has(key)) return;
    searches.sent.add(key);
    postJson(url, { schema: SEARCH_SCHEMA, query, sent_at: new Date().toISOString() });
  }, SEARCH_SETTLE_MS);
}

// ---- one feedback element ---------------------------------------------------------------------

function part(element, role) {
  return element.querySelector(`[data-feedback-role="${role}"]`);
}

function attachFeedback(element) {
  if (element.kbFeedback) return;
  const widget = {
    element,
    vote: null,
    voteId: null,
    reason: null,
    yes: element.querySelector('[data-feedback-vote="yes"]'),
    no: element.querySelector('[data-feedback-vote="no"]'),
    status: part(element, "status"),
    form: part(element, "form"),
    error: part(element, "error"),
    prepared: part(element, "prepared"),
    request: part(element, "request"),
    send: part(element, "send"),
    copy: part(element, "copy"),
    counted: part(element, "counted"),
  };
  element.kbFeedback = widget;
  widget.yes.addEventListener("click", () => chooseVote(widget, "yes"));
  widget.no.addEventListener("click", () => chooseVote(widget, "no"));
  widget.form.addEventListener("submit", (event) => {
    event.preventDefault();
    prepareRequest(widget);
  });
  widget.form.addEventListener("change", () => clearReasonError(widget));
  widget.copy.addEventListener("click", () => copyRequest(widget));
  widget.counted.hidden = !endpointOf(element); // said before the reader clicks
  element.hidden = false;
  refreshHelpfulCount(element);
}

function say(widget, text) {
  widget.status.textContent = text;
}

function chooseVote(widget, vote) {
  widget.vote = vote;
  widget.voteId = widget.voteId || newVoteId();
  widget.yes.setAttribute("aria-pressed", String(vote === "yes"));
  widget.no.setAttribute("aria-pressed", String(vote === "no"));
  widget.no.setAttribute("aria-expanded", String(vote === "no"));
  widget.counted.hidden = !endpointOf(widget.element); // the endpoint may be set after load
  if (vote === "yes") {
    widget.form.hidden = true;
    widget.prepared.hidden = true;
    widget.reason = null;
    say(widget, "Thank you: glad this page helped.");
  } else {
    widget.form.hidden = false;
    say(widget, "Sorry this page did not help. Tell us what was wrong, and a support request " +
      "will be prepared for you to send.");
    const first = widget.form.querySelector('input[name="reason"]');
    if (first) first.focus();
  }
  postVote(widget);
}

function chosenReason(widget) {
  const input = widget.form.querySelector('input[name="reason"]:checked');
  if (!input) return null;
  return { code: input.value, label: input.closest("label").textContent.trim() };
}

function clearReasonError(widget) {
  widget.error.textContent = "";
  widget.error.hidden = true;
  widget.error.closest("fieldset").removeAttribute("aria-invalid");
}

function prepareRequest(widget) {
  const reason = chosenReason(widget);
  if (!reason) {
    widget.error.textContent = "Choose what was wrong first.";
    widget.error.hidden = false;
    widget.error.closest("fieldset").setAttribute("aria-invalid", "true");
    say(widget, "Choose what was wrong first.");
    widget.form.querySelector('input[name="reason"]').focus();
    return;
  }
  clearReasonError(widget);
  const comment = widget.form.elements.comment.value.trim();
  const calculators = usedCalculators(widget.element);
  const request = supportRequest(pageInfo(), reason, comment, calculators);
  const destination = destinationOf(widget.element);
  widget.request.value = `Subject: ${request.subject}\n\n${request.body}`;
  if (destination) {
    widget.send.href = destinationHref(destination, request);
    widget.send.textContent =
      destination.kind === "email" ? "Send it by email" : "Open the support form";
    if (destination.kind === "form") {
      widget.send.target = "_blank";
      widget.send.rel = "noopener";
    } else {
      widget.send.removeAttribute("target");
      widget.send.removeAttribute("rel");
    }
    widget.send.hidden = false;
  } else {
    widget.send.hidden = true;
  }
  widget.prepared.hidden = false;
  widget.reason = reason.code;
  say(widget, destination
    ? `Your support request is ready below. ${widget.send.textContent}, or copy it.`
    : "Your support request is ready below: copy it into a message to support.");
  widget.request.focus();
  widget.request.setSelectionRange(0, 0);
  widget.request.scrollTop = 0;
  postVote(widget);
}

async function copyRequest(widget) {
  try {
    await copyText(widget.request.value);
    say(widget, "Copied: paste it into a message to support.");
  } catch (error) {
    widget.request.select();
    say(widget, "Copying was refused: the request is selected, press Ctrl+C (⌘C on a Mac).");
  }
}

// ---- print ------------------------------------------------------------------------------------

const printState = { sheet: null, opened: [] };

function isoDate(date) {
  const pad = (number) => String(number).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function cssString(text) {
  return `"${String(text).replace(/[\\"]/g, "\\$&").replace(/[\n\r\f]/g, " ")}"`;
}

function inputSummary(calculator) {
  const summary = document.createElement("div");
  summary.className = "kb-print-inputs";
  summary.dataset[PRINT_MARK] = "";
  const title = document.createElement("p");
  title.className = "kb-print-inputs__title";
  title.textContent = "Inputs";
  const list = document.createElement("dl");
  for (const input of describeInputs(calculator, currentInputs(calculator))) {
    const row = document.createElement("div");
    const term = document.createElement("dt");
    term.textContent = input.label;
    const value = document.createElement("dd");
    value.textContent = input.value || "(empty)";
    row.append(term, value);
    list.append(row);
  }
  summary.append(title, list);
  return summary;
}

function stampText(info, printed) {
  const parts = [];
  if (info.reviewed) parts.push(`Last reviewed ${info.reviewed}`);
  parts.push(`Permanent link ${info.permalink}`, `Printed ${printed}`);
  return parts.join(" · ");
}

function pageMarginStamp(info, printed) {
  // Every printed page carries the link and dates in its bottom margin, where supported.
  if (!("adoptedStyleSheets" in document) || typeof CSSStyleSheet === "undefined") return;
  try {
    const sheet = new CSSStyleSheet();
    const dates = [info.reviewed ? `Last reviewed ${info.reviewed}` : "", `Printed ${printed}`]
      .filter(Boolean)
      .join(" · ");
    sheet.replaceSync(
      "@media print { @page {" +
        ` @bottom-left { content: ${cssString(info.permalink)}; font-size: 8pt; }` +
        ` @bottom-right { content: ${cssString(dates + " · Page ")} counter(page) " of " counter(pages);` +
        " font-size: 8pt; } } }",
    );
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    printState.sheet = sheet;
  } catch (error) {
    // margin boxes are a nicety; the stamp at the end of the article is always there
  }
}

function beforePrint() {
  afterPrint(); // a second beforeprint without an afterprint starts from a clean page
  const article = document.querySelector("article") || document.body;
  const info = pageInfo();
  const printed = isoDate(new Date());
  const stamps = article.querySelectorAll(".kb-print-stamp");
  for (const stamp of stamps) stamp.textContent = ` · Permanent link ${info.permalink} · Printed ${printed}`;
  if (stamps.length === 0) {
    const stamp = document.createElement("p");
    stamp.className = "kb-print-stamp kb-print-stamp--own";
    stamp.dataset[PRINT_MARK] = "";
    stamp.textContent = stampText(info, printed);
    article.append(stamp);
  }
  for (const calculator of article.querySelectorAll("[data-calculator]")) {
    const form = calculator.querySelector("form");
    if (form) form.before(inputSummary(calculator));
  }
  for (const details of article.querySelectorAll(".kb-calc__explanation:not([open])")) {
    details.open = true;
    printState.opened.push(details);
  }
  pageMarginStamp(info, printed);
}

function afterPrint() {
  for (const element of document.querySelectorAll("[data-kb-print]")) element.remove();
  for (const stamp of document.querySelectorAll(".kb-print-stamp")) stamp.textContent = "";
  for (const details of printState.opened) details.open = false;
  printState.opened = [];
  if (printState.sheet) {
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter(
      (sheet) => sheet !== printState.sheet,
    );
    printState.sheet = null;
  }
}

// ---- every page -------------------------------------------------------------------------------

function attachAll() {
  for (const element of document.querySelectorAll("[data-kb-feedback]")) attachFeedback(element);
}

document.addEventListener("input", noteCalculatorChange, true);
document.addEventListener("kb:search-no-results", noteSearchWithoutResults);
document.addEventListener("change", noteCalculatorChange, true);
window.addEventListener("beforeprint", beforePrint);
window.addEventListener("afterprint", afterPrint);

// Instant navigation swaps the article (and this element with it) and announces each new page
// through the theme's document$.
onEveryPage(attachAll);
