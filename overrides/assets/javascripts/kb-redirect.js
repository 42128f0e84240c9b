// A short link's or moved page's redirect (pages written by macros/links.py): go on to the
// target, keeping the reader's #anchor and following renamed anchors. Classic script in <head>;
// its data attributes carry the target, the title's anchor and {old anchor: new anchor}.
(function () {
  var data = document.currentScript.dataset;
  var renamed = {};
  try {
    renamed = JSON.parse(data.anchors || "{}");
  } catch (error) {
    renamed = {};
  }
  var anchor = location.hash.slice(1);
  if (Object.prototype.hasOwnProperty.call(renamed, anchor)) anchor = renamed[anchor];
  if (!anchor) anchor = data.defaultAnchor || "";
  location.replace(data.target + (anchor ? "#" + anchor : ""));
})();
