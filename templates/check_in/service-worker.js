// The check-in desk's service worker: keeps the desk page and its files, so that the desk
// opens and works when the venue's network drops. Personal data stays out of its cache: the
// desk page is kept only as it is without a search or an answer, and the desk's JSON (its
// offline copy, its syncs) always goes to the network.
"use strict";
// The cache is named by a hash of the files it keeps: a release that changes one of them is a
// new worker with a new cache, and the old cache goes when it takes over.
var PREFIX = "check-in-desk-";
var CACHE = PREFIX + {{ version|tojson }};
var DESK = {{ url_for("check_in.desk")|tojson }};
var FILES = [
  DESK,
  {% for file in files -%}
  {{ url_for("static", filename=file)|tojson }},
  {% endfor %}
];

self.addEventListener("install", function (event) {
  // From the network, not the browser's HTTP cache, which may still hold the old files.
  var fresh = FILES.map(function (file) { return new Request(file, {cache: "reload"}); });
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(fresh); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf(PREFIX) === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function deskPage(request) {
  return fetch(request).then(function (response) {
    var url = new URL(request.url);
    if (response.ok && url.pathname === DESK && !url.search) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(DESK, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(DESK);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname === DESK) {
    event.respondWith(deskPage(request));
  } else if (FILES.indexOf(url.pathname) > 0) {
    event.respondWith(caches.match(url.pathname).then(function (kept) {
      return kept || fetch(request);
    }));
  }
});
