/* The lookout page's service worker, served from /watch/sw.js so its scope covers /watch/. Pages are
   fetched from the network first and kept; with no signal the kept copy opens, and the page's own
   queue (post.js) holds the reports until they can be sent. API calls are never cached. */
var CACHE = "minxin-watch-v1";

self.addEventListener("install", function (event) { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  var keep = request.mode === "navigate" || url.pathname.indexOf("/static/") === 0;
  if (!keep) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) { return hit || Response.error(); });
    })
  );
});
