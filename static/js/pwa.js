/* The installable app on the page side (SPEC §4, field conditions).
 *
 * 1. Registers the service worker (/sw.js, scope /).
 * 2. Keeps one user's pages on the phone: the cached pages are deleted on logout (the menu's
 *    logout form) and when a different user logs in.
 * 3. Says when the page shown is a copy saved on the phone.
 * 4. On a patrol page, asks the worker to save the visit forms it links to, so they open offline.
 * 5. On the offline page, lists the pages saved on the phone.
 *
 * Settings come from the data attributes of this script's tag (templates/base.html).
 */
(function () {
  "use strict";

  if (window.patrolPwa) {
    // The document was rewritten in place (offline.js shows a form's answer): set it up again.
    window.patrolPwa.boot();
    return;
  }

  const PAGES_CACHE = "patrol-pages"; // the same name in sw.js
  const USER_KEY = "patrol-pwa-user";
  const WARM_SELECTOR = "a.visit-link, a[data-offline-warm]";

  const TEXT = {
    zh: {
      copy: "离线副本：这是本机保存的页面",
      copyAt: "（保存于 {t}）",
      copyHint: "，联网后刷新可看到最新内容。",
      logoutPending: "还有 {n} 条记录没有上传。退出后，要等您重新登录才会上传。确定退出吗？",
      logoutOffline: "当前离线，无法退出。请联网后再退出。",
      cachedAt: "保存于 {t}",
    },
    en: {
      copy: "Offline copy: this page was saved on this phone",
      copyAt: " (saved {t})",
      copyHint: "; reload when online to see the latest.",
      logoutPending: "{n} record(s) have not been sent yet. They will be sent only after you log in again. Log out?",
      logoutOffline: "You are offline and cannot log out now. Log out when you are back online.",
      cachedAt: "saved {t}",
    },
  };

  function strings() {
    return /^zh/i.test(document.documentElement.lang || "zh") ? TEXT.zh : TEXT.en;
  }

  function t(key, values) {
    return strings()[key].replace(/\{(\w+)\}/g, (m, name) => String((values || {})[name] ?? m));
  }

  function settings() {
    const tag = document.querySelector("script[data-pwa]");
    return tag ? tag.dataset : {};
  }

  function formatTime(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return "";
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getMonth() + 1}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  async function forgetPages() {
    // The worker too: a page it is still fetching for this user must not be stored afterwards.
    const worker = "serviceWorker" in navigator && navigator.serviceWorker.controller;
    if (worker) worker.postMessage({ type: "forget" });
    if ("caches" in window) await caches.delete(PAGES_CACHE);
  }

  /* Another user's pages must never be shown: drop them when the logged-in user changes. */
  async function rememberUser() {
    const user = settings().user;
    if (!user) return false; // logged out or session expired: keep them for the same user's return
    let previous = null;
    try {
      previous = localStorage.getItem(USER_KEY);
      localStorage.setItem(USER_KEY, user);
    } catch (err) {
      previous = null;
    }
    if (previous === user) return false;
    await forgetPages();
    return true;
  }

  function isLogoutForm(form) {
    const logout = settings().logout;
    if (!logout || !(form instanceof HTMLFormElement)) return false;
    return new URL(form.action, location.href).pathname === logout;
  }

  async function onSubmit(event) {
    const form = event.target;
    if (!isLogoutForm(form) || form.dataset.pwaLoggingOut) return;
    event.preventDefault();
    if (!navigator.onLine) {
      // The server would not hear of it: the session would stay open with the pages gone.
      window.alert(t("logoutOffline"));
      return;
    }
    const pending = window.patrolQueue ? await window.patrolQueue.pendingCount() : 0;
    if (pending && !window.confirm(t("logoutPending", { n: pending }))) return;
    try {
      localStorage.removeItem(USER_KEY);
    } catch (err) {
      // private mode: nothing was stored
    }
    await Promise.race([forgetPages(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    form.dataset.pwaLoggingOut = "1";
    form.submit();
  }

  function showOfflineCopy() {
    const stamp = document.documentElement.dataset.offlineCopy;
    if (stamp === undefined || document.getElementById("offline-copy")) return;
    const note = document.createElement("div");
    note.id = "offline-copy";
    note.className = "flash pwa-offline-copy";
    note.setAttribute("role", "status");
    const at = formatTime(stamp);
    note.textContent = t("copy") + (at ? t("copyAt", { t: at }) : "") + t("copyHint");
    const main = document.querySelector("main") || document.body;
    main.insertBefore(note, main.firstChild);
  }

  /* Ask the worker to save pages: the visit forms linked here, and this page if it bypassed the worker. */
  async function warm(includeThisPage) {
    if (!("serviceWorker" in navigator) || !navigator.onLine) return;
    if (document.documentElement.dataset.offlineCopy !== undefined) return;
    const links = Array.from(document.querySelectorAll(WARM_SELECTOR), (a) => a.href);
    if (includeThisPage && settings().user) links.unshift(location.href);
    if (!links.length) return;
    const registration = await navigator.serviceWorker.ready;
    if (registration.active) registration.active.postMessage({ type: "warm", urls: links });
  }

  async function listSavedPages() {
    const list = document.getElementById("offline-pages");
    if (!list || !("caches" in window)) return;
    const cache = await caches.open(PAGES_CACHE);
    const rows = [];
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      if (!response || response.status !== 200) continue;
      const html = await response.text();
      const title = (html.match(/<title>([^<]*)<\/title>/i) || [])[1] || request.url;
      rows.push({ url: request.url, title: title.trim(), at: response.headers.get("X-Pwa-Cached-At") || "" });
    }
    if (!rows.length) return;
    rows.sort((a, b) => b.at.localeCompare(a.at));
    list.textContent = "";
    for (const row of rows) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = row.url;
      link.className = "title";
      // The title came from HTML: decode entities without parsing markup.
      link.textContent = new DOMParser().parseFromString(row.title, "text/html").documentElement.textContent;
      const meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = `${new URL(row.url).pathname} · ${t("cachedAt", { t: formatTime(row.at) })}`;
      item.append(link, meta);
      list.append(item);
    }
  }

  async function register() {
    if (!("serviceWorker" in navigator)) return; // plain http or an old browser: pages work online only
    const url = settings().sw || "/sw.js";
    try {
      await navigator.serviceWorker.register(url, { scope: "/" });
    } catch (err) {
      console.warn("Service worker not registered", err);
    }
  }

  // The bar or side menu shows where the user is: the destination whose path starts the page's.
  function markCurrent() {
    let best = null;
    document.querySelectorAll(".bottombar a, .sidebar a").forEach((link) => {
      const path = new URL(link.href).pathname;
      const fits = path === "/" ? location.pathname === "/" : location.pathname.startsWith(path);
      if (fits && (!best || path.length > new URL(best.href).pathname.length)) best = link;
    });
    if (best) best.setAttribute("aria-current", "page");
  }

  async function boot() {
    markCurrent();
    showOfflineCopy();
    const reload = document.querySelector("[data-pwa-reload]");
    if (reload) reload.addEventListener("click", () => location.reload());
    listSavedPages().catch((err) => console.warn(err));
    const switched = await rememberUser().catch(() => false);
    // A page that did not come through the worker (the first visit, or just after a user switch
    // cleared the cache) is saved now, so it too opens offline.
    const bypassed = !("serviceWorker" in navigator) || !navigator.serviceWorker.controller;
    warm(switched || bypassed).catch((err) => console.warn(err));
  }

  window.patrolPwa = { boot, forgetPages };
  window.addEventListener("submit", onSubmit);
  register();
  boot();
})();
