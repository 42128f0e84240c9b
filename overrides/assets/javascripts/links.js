// Permanent links for support: a copy-link button beside every heading, "Copy as ticket reply"
// for the article, and renamed anchors followed to their new place. The permanent address of
// the page is rendered by overrides/main.html in .kb-page-info (short links: macros/links.py).

import { announce, copyText, flash } from "./clipboard.js";
import { onEveryPage } from "./every-page.js";

// The article's permanent address, title, section number and review date; without the element
// (a page the theme renders on its own), the page's address and title.
export function pageInfo() {
  const data = document.querySelector(".kb-page-info")?.dataset || {};
  const here = new URL(window.location.href);
  here.search = "";
  here.hash = "";
  let renamed = {};
  try {
    renamed = JSON.parse(data.kbAnchorRedirects || "{}");
  } catch (error) {
    renamed = {};
  }
  return {
    permalink: data.kbPermalink || here.href,
    title: data.kbTitle || document.title,
    section: data.kbSection || "",
    reviewed: data.kbReviewed || "",
    renamed,
  };
}

// The link a support agent pastes: the page's short address, plus the heading's anchor.
function permanentLink(heading) {
  const info = pageInfo();
  return heading.tagName === "H1" ? info.permalink : `${info.permalink}#${heading.id}`;
}

function headingText(heading) {
  const copy = heading.cloneNode(true);
  for (const extra of copy.querySelectorAll(".headerlink, [data-copy-link]")) extra.remove();
  return copy.textContent.trim();
}

function addCopyButtons() {
  const article = document.querySelector("article.md-content__inner");
  if (!article) return;
  for (const heading of article.querySelectorAll("h1[id], h2[id], h3[id]")) {
    if (heading.closest("[data-calculator], .kb-feedback")) continue;
    if (heading.querySelector("[data-copy-link]")) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kb-copy-link";
    button.dataset.copyLink = "";
    button.setAttribute("aria-label", `Copy link to “${headingText(heading)}”`);
    button.title = "Copy link to this section";
    heading.append(button);
  }
}

async function copyHeadingLink(button) {
  const heading = button.closest("h1, h2, h3");
  const link = permanentLink(heading);
  try {
    await copyText(link);
    flash(button, "Copied");
    announce(`Link copied: ${link}`);
  } catch (error) {
    announce(`Copy this link: ${link}`);
  }
}

function ticketReply(format) {
  const info = pageInfo();
  const summary = document.querySelector(".kb-summary");
  const about = summary ? summary.textContent.trim() : "";
  if (format === "markdown") {
    return [`This article answers it: [${info.title}](${info.permalink})`, "", about ? `> ${about}` : ""]
      .join("\n")
      .trim();
  }
  return [`This article answers it: ${info.title}`, info.permalink, "", about].join("\n").trim();
}

async function copyArticleReply(button) {
  const text = ticketReply(button.dataset.format);
  try {
    await copyText(text);
    flash(button, "Copied");
    announce("Ticket reply copied");
  } catch (error) {
    announce("Copying is not available in this browser");
  }
}

// An old anchor that was renamed (mkdocs.yml extra.redirects) leads to its new place.
function followRenamedAnchor() {
  const info = pageInfo();
  const wanted = decodeURIComponent(window.location.hash.slice(1));
  if (!wanted || document.getElementById(wanted)) return;
  const target = info.renamed[wanted];
  const element = target && document.getElementById(target);
  if (element) {
    history.replaceState(history.state, "", `#${target}`);
    element.scrollIntoView();
  }
}

function onClick(event) {
  if (!(event.target instanceof Element)) return;
  const copyLink = event.target.closest("[data-copy-link]");
  if (copyLink) {
    event.preventDefault();
    copyHeadingLink(copyLink);
    return;
  }
  const reply = event.target.closest('[data-action="copy-reply"]');
  if (reply && !reply.closest("[data-calculator]")) {
    event.preventDefault();
    copyArticleReply(reply);
  }
}

function setUpPage() {
  addCopyButtons();
  followRenamedAnchor();
}

document.addEventListener("click", onClick);
onEveryPage(setUpPage);
