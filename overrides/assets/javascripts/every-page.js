// Runs a module's page setup on the first page and on every page the theme's instant navigation
// brings in (Material announces each through document$); without the theme, once the document
// is ready.
export function onEveryPage(setup) {
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(() => setup());
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => setup());
  } else {
    setup();
  }
}
