// The search dialog (overrides/partials/search.html): opens from the header button, the "/" and
// "s" keys or the theme's search icon; loads the engine (search-engine.mjs) and the index built
// at build time (search/kb-search.json) the first time it opens, from this site only; shows the
// pages found, best first, each with its best sections.
//
// An address with ?q=words opens it with those words.
//
// Keyboard: "/" or "s" opens; typing searches; Down and Up move between the input and the
// results; Enter on the input opens the first result; Escape closes and gives focus back.
//
// No dead end: when a search finds nothing, the dialog offers the closest topics and a support
// request carrying the query, prepared for the same destination as "Was this helpful?"
// (feedback.js builds the link). Once a query with no results has settled, it is announced
// to the page as `kb:search-no-results` ({detail: {query}}), once per query; nothing is sent.

import { destinationHref, destinationOf } from "./feedback.js";
import { onEveryPage } from "./every-page.js";

const SITE_ROOT = new URL("../../", import.meta.url);
const INDEX_URL = new URL("search/kb-search.json", SITE_ROOT);
const RESULTS_SHOWN = 8;
const TYPING_PAUSE_MS = 120; // results follow the typing
const SETTLED_MS = 700; // a query the reader stopped typing

let loading = null; // Promise of { engine, index }, started the first time the dialog opens

function loadSearch() {
  if (!loading) {
    loading = Promise.all([
      import("./search-engine.mjs"),
      fetch(INDEX_URL, { credentials: "same-origin" }).then((response) => {
        if (!response.ok) throw new Error(`search index: HTTP ${response.status}`);
        return response.json();
      }),
    ]).then(([engine, data]) => ({ engine, index: engine.loadIndex(data) }));
    loading.catch(() => {
      loading = null; // a later opening tries again
    });
  }
  return loading;
}

function siteLink(location) {
  return new URL(location, SITE_ROOT).href;
}

function pageLabel(result) {
  return result.number ? `${result.number} ${result.title}` : result.title;
}

// ---- one dialog ---------------------------------------------------------------------------------

function part(root, name) {
  return root.querySelector(`[data-kb-search-${name}]`);
}

function attachSearch(root) {
  if (root.kbSearch) return;
  const search = {
    root,
    open: part(root, "open"),
    dialog: part(root, "dialog"),
    form: part(root, "form"),
    input: root.querySelector(".kb-search__input"),
    close: part(root, "close"),
    status: part(root, "status"),
    results: part(root, "results"),
    none: part(root, "none"),
    closest: part(root, "closest"),
    request: part(root, "request"),
    ask: part(root, "ask"),
    typing: 0,
    settling: 0,
    shown: null, // the query the dialog shows the results of
    reported: "",
    opener: null,
  };
  root.kbSearch = search;
  search.open.addEventListener("click", () => openSearch(search));
  search.close.addEventListener("click", () => search.dialog.close());
  search.dialog.addEventListener("close", () => closed(search));
  search.dialog.addEventListener("click", (event) => {
    if (event.target === search.dialog) search.dialog.close(); // a click on the backdrop
    else if (event.target instanceof Element && event.target.closest("a[href]")) {
      search.dialog.close(); // a result: the page changes (the theme may keep this header)
    }
  });
  search.input.addEventListener("input", () => queryChanged(search));
  search.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = search.results.querySelector("a[href]");
    if (first) first.click();
  });
  search.dialog.addEventListener("keydown", (event) => onKey(search, event));
  search.open.hidden = false;
}

function openSearch(search) {
  if (search.dialog.open) {
    search.input.focus();
    return;
  }
  search.opener = document.activeElement;
  search.dialog.showModal();
  search.input.focus();
  search.input.select();
  if (!loading) say(search, "Loading search…");
  loadSearch().then(
    () => runQuery(search),
    () => say(search, "Search could not be loaded. Check your connection and open it again."),
  );
}

function closed(search) {
  clearTimeout(search.typing);
  clearTimeout(search.settling);
  const opener = search.opener;
  search.opener = null;
  if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
}

function say(search, text) {
  search.status.textContent = text;
}

function queryChanged(search) {
  clearTimeout(search.typing);
  search.typing = setTimeout(() => runQuery(search), TYPING_PAUSE_MS);
}

async function runQuery(search) {
  const query = search.input.value.trim();
  if (query === search.shown) return;
  let loaded;
  try {
    loaded = await loadSearch();
  } catch (error) {
    return; // openSearch said so
  }
  if (query !== search.input.value.trim()) return; // the reader typed on
  search.shown = query;
  search.results.dataset.query = query; // the query the list shows the results of
  clearTimeout(search.settling);
  search.results.replaceChildren();
  search.none.hidden = true;
  if (!query) {
    say(search, "Type what you are looking for.");
    return;
  }
  const { engine, index } = loaded;
  if (engine.searchTerms(query).length === 0) {
    say(search, "Type a few words about your question, such as “refund” or “add seats”.");
    return;
  }
  const pages = engine.search(index, query).slice(0, RESULTS_SHOWN);
  if (pages.length) {
    for (const page of pages) search.results.append(resultItem(page));
    say(search, pages.length === 1 ? "1 page found." : `${pages.length} pages found.`);
    return;
  }
  showNoMatch(search, query, engine.closestTopics(index, query));
  search.settling = setTimeout(() => reportNoResults(search, query), SETTLED_MS);
}

function resultItem(page) {
  const item = document.createElement("li");
  item.className = "kb-search__result";
  const link = document.createElement("a");
  link.className = "kb-search__page";
  link.href = siteLink(page.page);
  link.textContent = pageLabel(page);
  item.append(link);
  const sections = page.sections.filter((section) => section.heading);
  const opening = page.sections.find((section) => !section.heading);
  if (opening && opening.excerpt) {
    const excerpt = document.createElement("p");
    excerpt.className = "kb-search__excerpt";
    excerpt.textContent = opening.excerpt;
    item.append(excerpt);
  }
  if (sections.length) {
    const list = document.createElement("ul");
    list.className = "kb-search__sections";
    for (const section of sections) {
      const entry = document.createElement("li");
      const sectionLink = document.createElement("a");
      sectionLink.className = "kb-search__section";
      sectionLink.href = siteLink(section.location);
      sectionLink.textContent = section.heading;
      const excerpt = document.createElement("span");
      excerpt.className = "kb-search__excerpt";
      excerpt.textContent = section.excerpt;
      entry.append(sectionLink, excerpt);
      list.append(entry);
    }
    item.append(list);
  }
  return item;
}

// ---- no match: closest topics and a prepared support request -------------------------------------

function supportRequest(query) {
  const here = new URL(window.location.href);
  here.search = "";
  here.hash = "";
  const subject = `Help center search: ${query}`;
  const lines = [
    "Hello,",
    "",
    "I searched the help center and no article matched.",
    "",
    `Search: ${query}`,
    `Searched from: ${here.href}`,
    "",
    "My question:",
    "",
  ];
  const fields = { query, page: here.href, subject };
  return { subject, body: lines.join("\n"), fields, calculators: [] };
}

function showNoMatch(search, query, topics) {
  say(search, `No page matches “${query}”. The closest topics and a support request are below.`);
  search.closest.replaceChildren();
  for (const topic of topics) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = siteLink(topic.page);
    link.textContent = pageLabel(topic);
    item.append(link);
    search.closest.append(item);
  }
  const request = supportRequest(query);
  search.request.value = `Subject: ${request.subject}\n\n${request.body}`;
  const destination = destinationOf(search.root);
  if (destination) {
    search.ask.href = destinationHref(destination, request);
    search.ask.textContent =
      destination.kind === "email" ? "Send it to support by email" : "Open the support form";
    if (destination.kind === "form") {
      search.ask.target = "_blank";
      search.ask.rel = "noopener";
    }
    search.ask.hidden = false;
  } else {
    search.ask.hidden = true;
  }
  search.none.hidden = false;
}

function reportNoResults(search, query) {
  if (query !== search.input.value.trim() || query === search.reported) return;
  search.reported = query;
  document.dispatchEvent(new CustomEvent("kb:search-no-results", { detail: { query } }));
}

// ---- keyboard -----------------------------------------------------------------------------------

function focusables(search) {
  const links = search.dialog.querySelectorAll(
    ".kb-search__results a[href], .kb-search__none a[href]:not([hidden])",
  );
  return [search.input, ...links];
}

function onKey(search, event) {
  if (event.key === "Escape") {
    // also when the browser or the theme keeps the dialog's own Escape from closing it
    event.preventDefault();
    search.dialog.close();
    return;
  }
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const stops = focusables(search);
  const at = stops.indexOf(document.activeElement);
  if (at === -1) return;
  const next = event.key === "ArrowDown" ? Math.min(at + 1, stops.length - 1) : Math.max(at - 1, 0);
  event.preventDefault();
  stops[next].focus();
}

function isTyping(target) {
  const editable = "input, textarea, select, [contenteditable]:not([contenteditable='false'])";
  return target instanceof Element && target.closest(editable) !== null;
}

// "/" and "s" open search, as they open the theme's; the theme's own handler never sees them.
function shortcut(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
  if (event.key !== "/" && event.key !== "s" && event.key !== "S") return;
  const root = document.querySelector("[data-kb-search]");
  if (!root || !root.kbSearch) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  openSearch(root.kbSearch);
}

// The theme's search icon (a label for its #__search toggle) opens this dialog instead.
function themeToggle(event) {
  const toggle = event.target;
  if (!(toggle instanceof HTMLInputElement) || toggle.id !== "__search" || !toggle.checked) return;
  toggle.checked = false;
  const root = document.querySelector("[data-kb-search]");
  if (root && root.kbSearch) openSearch(root.kbSearch);
}

// ---- every page -----------------------------------------------------------------------------------

// An address with ?q=words (the 404 page's search form, a search link pasted into a ticket)
// opens search with those words; the parameter then leaves the address, so a reload does not
// open it again.
function openFromAddress(search) {
  const address = new URL(window.location.href);
  const words = address.searchParams.get("q");
  if (!words) return;
  address.searchParams.delete("q");
  history.replaceState(history.state, "", address);
  search.input.value = words;
  openSearch(search);
}

function attachAll() {
  for (const root of document.querySelectorAll("[data-kb-search]")) attachSearch(root);
  const first = document.querySelector("[data-kb-search]");
  if (first && first.kbSearch) openFromAddress(first.kbSearch);
}

window.addEventListener("keydown", shortcut, true);
document.addEventListener("change", themeToggle);

onEveryPage(attachAll);
