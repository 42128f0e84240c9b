// The 404 page (overrides/404.html): names the address the reader tried and, for a mistyped
// short link (/kb/8-9/), points at the section it belongs to. Text only, never HTML.
(function () {
  var typed = document.querySelector("[data-kb-not-found]");
  if (!typed) return;
  var path = decodeURIComponent(location.pathname);
  var short = /\/kb\/([^/]*)\/?$/.exec(path);
  var message = "You tried " + path + ".";
  if (short) {
    var key = short[1].replace(/\./g, "-");
    var section = key.split("-")[0];
    var exact = document.querySelector('[data-kb-short="' + CSS.escape(key) + '"] > a');
    var parent = document.querySelector('[data-kb-short="' + CSS.escape(section) + '"] > a');
    if (exact) {
      message += " Did you mean " + exact.textContent.trim() + "?";
    } else if (parent) {
      message += " There is no short link " + short[1] + "; section " + section + " is " +
        parent.textContent.trim() + ": its articles are listed under Short links below.";
      parent.parentElement.classList.add("kb-not-found__match");
    } else {
      message += " There is no section " + section + "; the sections are listed under Short links below.";
    }
  }
  typed.textContent = message;
  typed.hidden = false;
})();
