// Loaded in <head> of every page (site_builder/theme/main.html), before Material's own script.
// Material's language selector fetches a sitemap.xml next to every <link rel="alternate"> once the
// page is ready; next to a feed there is none (a 404 over HTTP, a console error from disk). So the
// feed links leave the live page until "load", then come back. Feed readers read the HTML, which
// always has them.
(function () {
  var feeds = Array.prototype.slice.call(document.querySelectorAll('link[rel="alternate"][type="application/atom+xml"]'));
  feeds.forEach(function (link) { link.remove(); });
  addEventListener("load", function () { feeds.forEach(function (link) { document.head.appendChild(link); }); });
})();
