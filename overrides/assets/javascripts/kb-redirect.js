// A short link's or moved page's redirect page (written by the redirects plugin, rewritten by
// tools/redirect_pages.py to load this file): go on to the target, keeping the reader's #anchor.
// Renamed anchors are followed on the target page (links.js).
(function () {
  var target = document.currentScript.dataset.target;
  location.replace(target + location.hash);
})();
