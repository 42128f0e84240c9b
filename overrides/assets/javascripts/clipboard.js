// Copying text for the reader, and telling them (and their screen reader) that it worked.

export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("copy refused");
}

// One polite live region for the whole page, outside the swapped content.
export function announce(message) {
  let region = document.getElementById("kb-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "kb-announcer";
    region.className = "kb-visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  region.textContent = "";
  setTimeout(() => {
    region.textContent = message;
  }, 30);
}

export function flash(button, text) {
  const original = button.dataset.label || button.textContent;
  button.dataset.label = original;
  button.dataset.copied = "true";
  if (!button.classList.contains("kb-copy-link")) button.textContent = text;
  setTimeout(() => {
    delete button.dataset.copied;
    if (!button.classList.contains("kb-copy-link")) button.textContent = original;
  }, 2000);
}
