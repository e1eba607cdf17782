/* Service worker of the patrol app (SPEC §4, field conditions), served at /sw.js by config/pwa.py.
 *
 * config/pwa.py puts `self.PWA_CONFIG` in front of this file: the app-shell URLs (with the
 * hashed static names of production), the offline page, the start URL and the paths that are
 * never cached. Its version changes whenever the shell does, which makes the browser install
 * the new worker and drop the old shell.
 *
 * - The shell (CSS, JS, icons, offline page) is precached; other /static/ files are served
 *   from the cache and refreshed behind (stale-while-revalidate).
 * - Pages are network-first. A page that answers 200 with HTML is copied into the pages cache,
 *   so a patrol record and its visit forms opened earlier still open without signal. When the
 *   network hangs (lie-fi) or answers 5xx, a cached copy is shown instead.
 * - The pages cache holds one user's pages: pwa.js deletes it on logout and when another user
 *   logs in ("forget" also stops fetches under way from storing). API, admin, accounts,
 *   language and media requests are never cached.
 * - POSTs are not touched here: offline.js queues them in IndexedDB.
 */
"use strict";

const CONFIG = self.PWA_CONFIG || {
  version: "dev",
  shell: [],
  offlineUrl: "/offline/",
  startUrl: "/patrols/today/",
  staticPrefix: "/static/",
  neverCache: ["/api/", "/admin/", "/accounts/", "/i18n/", "/media/"],
};
const SHELL_CACHE = `patrol-shell-${CONFIG.version}`;
const PAGES_CACHE = "patrol-pages"; // the same name in pwa.js
const CACHED_AT = "X-Pwa-Cached-At";
const MAX_PAGES = 80;
// How long a page may take before an earlier copy is shown instead.
const NETWORK_PATIENCE_MS = 6000;
// Pages warmed in the background (visit forms linked from a patrol) are refetched at most this often.
const WARM_MAX_AGE_MS = 30 * 60 * 1000;
const MAX_WARM_URLS = 40;
// Bumped when the user logs out: a page fetched for them before is not stored after.
let generation = 0;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(CONFIG.shell.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith("patrol-shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "warm" && Array.isArray(data.urls)) {
    event.waitUntil(warm(data.urls, Boolean(data.force)));
  } else if (data.type === "forget") {
    generation += 1;
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isNeverCached(url)) {
    if (request.mode === "navigate") event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(event));
  } else if (url.pathname.startsWith(CONFIG.staticPrefix)) {
    event.respondWith(staleWhileRevalidate(event));
  }
});

function isNeverCached(url) {
  return CONFIG.neverCache.some((prefix) => url.pathname.startsWith(prefix));
}

function pageKey(url) {
  const u = new URL(url, self.location.href);
  u.hash = "";
  return u.href;
}

async function networkFirst(event) {
  const request = event.request;
  const started = generation;
  const network = fetch(request);
  // Registered first, so the copy is taken before the page reads the body.
  event.waitUntil(
    network.then((response) => remember(request.url, response.clone(), started)).catch(() => undefined),
  );
  const patience = new Promise((resolve) => setTimeout(resolve, NETWORK_PATIENCE_MS));
  try {
    const first = await Promise.race([network, patience.then(() => null)]);
    if (first && first.status < 500) return first;
    // Slow, or a gateway error on a weak signal: the phone's copy, when it has one, says more.
    const cached = await cachedPage(request.url);
    return cached || first || (await network);
  } catch (err) {
    return (await cachedPage(request.url)) || offlinePage();
  }
}

/* Keep a copy of a page; learn where the start URL redirects to. */
async function remember(url, response, started) {
  if (response.type === "opaqueredirect") {
    if (new URL(url).pathname === CONFIG.startUrl) await learnRedirect(url, started);
    return;
  }
  await storePage(url, response, started);
}

function isCacheablePage(response) {
  const type = response.headers.get("Content-Type") || "";
  return (
    response.status === 200 &&
    response.type === "basic" &&
    type.startsWith("text/html") &&
    !isNeverCached(new URL(response.url))
  );
}

async function storePage(url, response, started) {
  if (!isCacheablePage(response) || started !== generation) return;
  const headers = new Headers(response.headers);
  headers.set(CACHED_AT, new Date().toISOString());
  // A fresh Response: a followed redirect must not be replayed as "redirected" to a navigation.
  const copy = new Response(await response.blob(), { status: 200, statusText: "OK", headers });
  if (started !== generation) return;
  const cache = await caches.open(PAGES_CACHE);
  const key = pageKey(url);
  await cache.delete(key);
  await cache.put(key, copy);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((k) => cache.delete(k)));
}

/* The start URL redirects to today's patrol: keep that redirect, so the installed app opens offline. */
async function learnRedirect(url, started) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.redirected || !isCacheablePage(response)) return;
  await storePage(response.url, response.clone(), started);
  if (started !== generation) return;
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(pageKey(url), Response.redirect(response.url, 302));
}

async function cachedPage(url) {
  const cache = await caches.open(PAGES_CACHE);
  const cached = await cache.match(pageKey(url), { ignoreVary: true });
  if (!cached || cached.status !== 200) return cached;
  // Mark the copy so that the page's scripts know it came from this phone (offline.js makes a new
  // client_id for its forms; pwa.js says when the copy was saved).
  const html = await cached.text();
  const stamp = escapeAttr(cached.headers.get(CACHED_AT) || "");
  const marked = html.replace(/<html\b/i, `<html data-offline-copy="${stamp}"`);
  return new Response(marked, { status: 200, headers: cached.headers });
}

function escapeAttr(value) {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function offlinePage() {
  return (await caches.match(CONFIG.offlineUrl)) || Response.error();
}

async function staleWhileRevalidate(event) {
  const request = event.request;
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request);
  const refresh = fetch(request).then(async (response) => {
    if (response.ok && response.type === "basic") await cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => undefined));
    return cached;
  }
  return refresh;
}

/* Fetch pages the user is likely to open offline next (the visit forms of a patrol). */
async function warm(urls, force) {
  const started = generation;
  const cache = await caches.open(PAGES_CACHE);
  const now = Date.now();
  for (const raw of urls.slice(0, MAX_WARM_URLS)) {
    const url = new URL(raw, self.location.href);
    if (url.origin !== self.location.origin || isNeverCached(url)) continue;
    if (!force) {
      const cached = await cache.match(pageKey(url.href));
      const at = cached && Date.parse(cached.headers.get(CACHED_AT) || "");
      if (at && now - at < WARM_MAX_AGE_MS) continue;
    }
    try {
      const response = await fetch(url.href, { credentials: "same-origin" });
      // A form that now redirects elsewhere (already visited, logged out) is not kept under its URL.
      if (!response.redirected) await storePage(url.href, response, started);
    } catch (err) {
      return; // the signal is gone: stop, the next online page load tries again
    }
  }
}
