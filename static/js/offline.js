/* Offline queue for forms marked `data-offline-queue` (SPEC §4, field conditions).
 *
 * Online, such a form is sent with fetch and its answer shown as the browser would. When the
 * phone is offline, or the request fails on the network (or times out, or the server is down),
 * the form's fields and photo files are stored in IndexedDB with the form's URL and client_id,
 * and the user is told so. Stored records are sent again, oldest first, when the phone comes
 * back online, on every page load and every little while:
 *
 * - a 2xx/3xx answer removes the record;
 * - a 4xx answer (or an answer that shows the form's errors) sets it aside as failed, with
 *   the server's message, until the user retries or discards it;
 * - a network error or a 5xx stops the round; the record is tried again later;
 * - an answer that lands on the login page keeps it until the same user logs in again.
 *
 * Each record carries the client_id made for it, and the server stores one record per id,
 * so a record sent again after a lost answer is stored once.
 *
 * `window.patrolQueue` is the small API the page (and the browser tests) use.
 */
(function () {
  "use strict";

  if (window.patrolQueue) {
    window.patrolQueue.boot();
    return;
  }

  const DB_NAME = "patrol-offline";
  const STORE = "outbox";
  const FORM_SELECTOR = "form[data-offline-queue]";
  // A user waits this long for a form to be sent before it is kept on the phone instead.
  const SUBMIT_TIMEOUT_MS = 45000;
  // A background resend of a record with photos may take longer on a weak signal.
  const REPLAY_TIMEOUT_MS = 120000;
  const REPLAY_EVERY_MS = 30000;
  const MESSAGE_MAX_CHARS = 300;

  const STATE_QUEUED = "queued";
  const STATE_FAILED = "failed";
  const STATE_LOGIN = "login";

  const TEXT = {
    zh: {
      queued: "已离线保存，联网后自动上传",
      queuedLogin: "登录已过期。记录已保存在本机，重新登录后自动上传。",
      login: "登录",
      sending: "正在上传…",
      back: "返回",
      storeFailed: "无法在本机保存这条记录：{e}",
      needsSignal: "当前离线，这项操作要联网才能完成。请联网后再试。",
      pending: "待上传",
      failedCount: "{n} 条上传失败",
      offline: "离线",
      needsLogin: "请登录后上传",
      sent: "已上传 {n} 条离线保存的记录。",
      refresh: "刷新",
      retry: "重试",
      discard: "删除",
      discardConfirm: "删除这条未上传的记录？删除后无法恢复。",
      queuedAt: "保存于 {t}",
      failedWith: "服务器拒绝（{s}）：{m}",
      close: "关闭",
      panelTitle: "本机保存的记录",
      waiting: "待上传",
      refused: "上传被拒绝",
    },
    en: {
      queued: "Saved offline; it will be sent when you are back online",
      queuedLogin: "Your session has expired. The record is saved on this phone and is sent once you log in again.",
      login: "Log in",
      sending: "Sending…",
      back: "Back",
      storeFailed: "This record could not be saved on the phone: {e}",
      needsSignal: "You are offline; this needs a connection. Try again when you are back online.",
      pending: "To send",
      failedCount: "{n} failed",
      offline: "Offline",
      needsLogin: "Log in to send",
      sent: "{n} record(s) saved offline have been sent.",
      refresh: "Reload",
      retry: "Retry",
      discard: "Discard",
      discardConfirm: "Discard this unsent record? It cannot be recovered.",
      queuedAt: "saved {t}",
      failedWith: "Refused by the server ({s}): {m}",
      close: "Close",
      panelTitle: "Records saved on this phone",
      waiting: "Waiting to be sent",
      refused: "Refused",
    },
  };

  function t(key, values) {
    const lang = /^zh/i.test(document.documentElement.lang || "zh") ? TEXT.zh : TEXT.en;
    return lang[key].replace(/\{(\w+)\}/g, (m, name) => String((values || {})[name] ?? m));
  }

  function settings() {
    const tag = document.querySelector("script[data-pwa]");
    return tag ? tag.dataset : {};
  }

  function currentUser() {
    return settings().user || "";
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // ---- IndexedDB ---------------------------------------------------------------------------

  let dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          // The auto-increment key keeps the records in the order they were made.
          request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        };
        request.onsuccess = () => {
          const db = request.result;
          db.onversionchange = () => {
            db.close();
            dbPromise = null;
          };
          resolve(db);
        };
        request.onerror = () => {
          dbPromise = null;
          reject(request.error);
        };
      });
    }
    return dbPromise;
  }

  async function withStore(mode, operation) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = operation(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
    });
  }

  const dbAll = () => withStore("readonly", (s) => s.getAll());
  const dbAdd = (entry) => withStore("readwrite", (s) => s.add(entry));
  const dbPut = (entry) => withStore("readwrite", (s) => s.put(entry));
  const dbDelete = (id) => withStore("readwrite", (s) => s.delete(id));

  async function entriesOfUser() {
    const user = currentUser();
    return (await dbAll()).filter((e) => user && e.user === user);
  }

  // ---- Form data ---------------------------------------------------------------------------

  /* FormData cannot be stored; its fields can, with each file copied into a Blob. */
  async function serialise(formData) {
    const fields = [];
    for (const [name, value] of formData.entries()) {
      if (typeof value === "string") {
        fields.push({ name, value });
      } else if (value.name || value.size) {
        const blob = new Blob([await value.arrayBuffer()], { type: value.type });
        fields.push({ name, blob, filename: value.name, lastModified: value.lastModified });
      }
    }
    return fields;
  }

  function deserialise(fields) {
    const formData = new FormData();
    for (const field of fields) {
      if (field.blob) {
        const file = new File([field.blob], field.filename || "photo.jpg", {
          type: field.blob.type,
          lastModified: field.lastModified,
        });
        formData.append(field.name, file);
      } else {
        formData.append(field.name, field.value);
      }
    }
    return formData;
  }

  /* POST with the CSRF token of the current session: a page saved on the phone carries an old one. */
  async function send(url, formData, timeoutMs) {
    const token = csrfToken();
    if (token) formData.set("csrfmiddlewaretoken", token);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await fetch(url, {
        method: "POST",
        body: formData,
        credentials: "same-origin",
        headers: token ? { "X-CSRFToken": token } : {},
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  function landedOnLogin(response) {
    const login = settings().login;
    return Boolean(login && response.redirected && new URL(response.url).pathname === login);
  }

  function clip(text) {
    const clean = text.replace(/\s+/g, " ").trim();
    return clean.length > MESSAGE_MAX_CHARS ? `${clean.slice(0, MESSAGE_MAX_CHARS)}…` : clean;
  }

  /* The errors a page shows for the form just sent, or "" when it shows none. */
  function errorsIn(doc) {
    const items = doc.querySelectorAll(".errorlist li, .flash-error, .flash.error");
    return clip(Array.from(items, (el) => el.textContent).join(" "));
  }

  async function serverMessage(response) {
    const type = response.headers.get("Content-Type") || "";
    const body = await response.text().catch(() => "");
    if (type.includes("json")) {
      try {
        const data = JSON.parse(body);
        return clip(typeof data === "string" ? data : data.detail || JSON.stringify(data));
      } catch (err) {
        return clip(body);
      }
    }
    const doc = new DOMParser().parseFromString(body, "text/html");
    const errors = errorsIn(doc);
    if (errors) return errors;
    const main = doc.querySelector("main") || doc.body;
    const heading = doc.querySelector("h1");
    return clip((heading ? `${heading.textContent}: ` : "") + (main ? main.textContent : "")) || response.statusText;
  }

  // ---- Sending a form from the page --------------------------------------------------------

  function statusBox(form) {
    let box = document.getElementById("offline-status");
    if (!box) {
      box = document.createElement("div");
      box.id = "offline-status";
      box.setAttribute("role", "status");
      form.parentNode.insertBefore(box, form);
    }
    return box;
  }

  function setBusy(form, busy) {
    form.dataset.offlineBusy = busy ? "1" : "";
    for (const button of form.querySelectorAll("button, input[type=submit]")) button.disabled = busy;
  }

  async function keepOnPhone(form, formData, reason) {
    let fields;
    try {
      fields = await serialise(formData);
      await dbAdd({
        url: new URL(form.action, location.href).href,
        fields,
        clientId: formData.get("client_id") || "",
        user: currentUser(),
        title: form.dataset.offlineTitle || document.title,
        page: location.href,
        queuedAt: new Date().toISOString(),
        state: reason === STATE_LOGIN ? STATE_LOGIN : STATE_QUEUED,
        attempts: 0,
      });
    } catch (err) {
      setBusy(form, false);
      const box = statusBox(form);
      box.className = "flash flash-error";
      box.textContent = t("storeFailed", { e: err && err.message ? err.message : String(err) });
      return;
    }
    // The record is safe on the phone; this form is done. Keep it visible but closed to edits.
    setBusy(form, true);
    form.dataset.offlineQueued = "1";
    const box = statusBox(form);
    box.className = "flash pwa-queued";
    box.textContent = t(reason === STATE_LOGIN ? "queuedLogin" : "queued");
    const link = document.createElement("a");
    if (reason === STATE_LOGIN) {
      link.href = `${settings().login}?next=${encodeURIComponent(location.pathname)}`;
      link.textContent = t("login");
    } else {
      link.href = document.referrer && new URL(document.referrer).origin === location.origin ? document.referrer : "/";
      link.textContent = t("back");
      link.addEventListener("click", (event) => {
        if (history.length > 1) {
          event.preventDefault();
          history.back();
        }
      });
    }
    link.className = "btn secondary pwa-back";
    box.append(" ", link);
    box.scrollIntoView({ block: "center" });
    await refreshBadge();
    // A start kept on the phone goes on to the day's page (saved on the phone that morning).
    if (form.dataset.offlineNext && reason !== STATE_LOGIN) location.assign(form.dataset.offlineNext);
  }

  /* Show a page that fetch brought back as if the browser had navigated to it. */
  async function showAnswer(response) {
    const type = response.headers.get("Content-Type") || "";
    if (!type.startsWith("text/html")) {
      location.assign(response.url);
      return;
    }
    const html = await response.text();
    if (response.redirected) history.replaceState(null, "", response.url);
    document.open();
    document.write(html);
    document.close();
    window.scrollTo(0, 0);
  }

  async function onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (!form.matches(FORM_SELECTOR)) {
      // Other forms (submit, approve) need the server: say so rather than show the browser's error page.
      if (!navigator.onLine) {
        event.preventDefault();
        const box = statusBox(form);
        box.className = "flash flash-error";
        box.textContent = t("needsSignal");
      }
      return;
    }
    event.preventDefault();
    if (form.dataset.offlineBusy) return;
    const formData = new FormData(form, event.submitter || null);
    setBusy(form, true);
    if (!navigator.onLine) {
      await keepOnPhone(form, formData);
      return;
    }
    const box = statusBox(form);
    box.className = "flash pwa-sending";
    box.textContent = t("sending");
    let response;
    try {
      // A copy: `send` changes the token in it, and the original may still be stored.
      response = await send(form.action, deserialise(await serialise(formData)), SUBMIT_TIMEOUT_MS);
    } catch (err) {
      await keepOnPhone(form, formData);
      return;
    }
    if (landedOnLogin(response)) {
      await keepOnPhone(form, formData, STATE_LOGIN);
    } else if (response.status >= 500) {
      await keepOnPhone(form, formData);
    } else {
      await showAnswer(response);
    }
  }

  // ---- Sending stored records again --------------------------------------------------------

  let running = null;

  /* Send stored records once; another tab (or an earlier call) doing it already is waited for. */
  function replay() {
    if (!running) {
      const work = () => replayAll();
      const locked = navigator.locks ? navigator.locks.request("patrol-outbox", work) : work();
      running = locked.finally(() => {
        running = null;
      });
    }
    return running;
  }

  async function replayAll() {
    const entries = (await entriesOfUser()).filter((e) => e.state !== STATE_FAILED);
    let sent = 0;
    for (const entry of entries) {
      let response;
      try {
        response = await send(entry.url, deserialise(entry.fields), REPLAY_TIMEOUT_MS);
      } catch (err) {
        break; // still no signal: keep the order, try again later
      }
      entry.attempts = (entry.attempts || 0) + 1;
      if (landedOnLogin(response)) {
        await dbPut({ ...entry, state: STATE_LOGIN });
        break;
      }
      if (response.status >= 500) {
        await dbPut({ ...entry, state: STATE_QUEUED, status: response.status });
        break;
      }
      if (response.status >= 400) {
        await dbPut({ ...entry, state: STATE_FAILED, status: response.status, error: await serverMessage(response) });
        continue;
      }
      // A form shown again with its errors (answered 200) is a refusal too.
      const errors = response.redirected ? "" : errorsIn(new DOMParser().parseFromString(await response.text(), "text/html"));
      if (errors) {
        await dbPut({ ...entry, state: STATE_FAILED, status: response.status, error: errors });
        continue;
      }
      await dbDelete(entry.id);
      sent += 1;
    }
    await refreshBadge();
    if (sent && document.querySelector("[data-refresh-after-upload]") && !editing()) {
      location.reload(); // the record as the server now has it, visits sent included
    } else if (sent) {
      announceSent(sent);
    }
    return sent;
  }

  /* Whether the user is typing in a form of the page, which a reload would throw away. */
  function editing() {
    const active = document.activeElement;
    return Boolean(active && active.form && active.matches("input, textarea, select"));
  }

  function announceSent(count) {
    let note = document.getElementById("offline-sent");
    if (!note) {
      note = document.createElement("div");
      note.id = "offline-sent";
      note.className = "flash";
      note.setAttribute("role", "status");
      const main = document.querySelector("main") || document.body;
      main.insertBefore(note, main.firstChild);
    }
    note.textContent = `${t("sent", { n: count })} `;
    const reload = document.createElement("button");
    reload.type = "button";
    reload.className = "link";
    reload.textContent = t("refresh");
    reload.addEventListener("click", () => location.reload());
    note.append(reload);
  }

  function replaySoon() {
    if (navigator.onLine && currentUser()) replay().catch((err) => console.warn("Replay failed", err));
  }

  // ---- The badge ---------------------------------------------------------------------------

  const STYLE = `
.pwa-queue { position: fixed; right: .75rem; bottom: .75rem; z-index: 20; max-width: calc(100vw - 1.5rem); }
.pwa-queue > button { border-radius: 99px; min-height: 36px; padding: .3rem .9rem; font-size: .9rem;
  box-shadow: 0 2px 10px rgba(0,0,0,.25); }
.pwa-queue.offline > button { background: var(--amber, #b7791f); }
.pwa-queue.failed > button { background: var(--red, #c0392b); }
.pwa-queue-panel { background: #fff; border: 1px solid var(--line, #dfe7e2); border-radius: var(--radius, 10px);
  box-shadow: 0 6px 24px rgba(0,0,0,.18); padding: .6rem .8rem; margin-bottom: .5rem; max-height: 60vh;
  overflow: auto; width: min(22rem, calc(100vw - 1.5rem)); font-size: .9rem; }
.pwa-queue-panel ul { list-style: none; margin: .4rem 0; padding: 0; }
.pwa-queue-panel li { border-top: 1px solid var(--line, #dfe7e2); padding: .45rem 0; }
.pwa-queue-panel .error { color: var(--red, #c0392b); }
.pwa-queue-panel li button { min-height: 32px; padding: .2rem .7rem; font-size: .85rem; margin: .3rem .3rem 0 0; }
.pwa-queued .pwa-back { margin-left: .4rem; }
`;

  function ensureBadge() {
    if (!document.getElementById("pwa-style")) {
      const style = document.createElement("style");
      style.id = "pwa-style";
      style.textContent = STYLE;
      document.head.append(style);
    }
    let badge = document.getElementById("offline-queue");
    if (!badge) {
      badge = document.createElement("div");
      badge.id = "offline-queue";
      badge.className = "pwa-queue";
      badge.hidden = true;
      badge.innerHTML =
        '<div class="pwa-queue-panel" hidden></div>' +
        '<button type="button" aria-expanded="false"><span class="label"></span> <b id="offline-queue-count">0</b></button>';
      badge.querySelector("button").addEventListener("click", togglePanel);
      document.body.append(badge);
    }
    return badge;
  }

  async function pendingCount() {
    return (await entriesOfUser()).length;
  }

  async function refreshBadge() {
    const badge = ensureBadge();
    let entries = [];
    try {
      entries = await entriesOfUser();
    } catch (err) {
      entries = []; // IndexedDB unavailable (private mode): nothing can have been stored
    }
    const failed = entries.filter((e) => e.state === STATE_FAILED).length;
    const offline = !navigator.onLine;
    badge.hidden = !entries.length && !offline;
    badge.classList.toggle("failed", failed > 0);
    badge.classList.toggle("offline", offline && !failed);
    let label = t("pending");
    if (failed) label = t("failedCount", { n: failed });
    else if (entries.some((e) => e.state === STATE_LOGIN)) label = t("needsLogin");
    else if (offline) label = `${t("offline")} · ${t("pending")}`;
    badge.querySelector(".label").textContent = label;
    badge.querySelector("#offline-queue-count").textContent = String(entries.length);
    badge.dataset.count = String(entries.length);
    badge.dataset.failed = String(failed);
    const panel = badge.querySelector(".pwa-queue-panel");
    if (!panel.hidden) renderPanel(panel, entries);
    showWaiting(entries);
  }

  /* On a patrol page, the visits kept on the phone show among the record's visits, marked as
     waiting (or refused, with the server's words), and their shops leave the list to visit. */
  function showWaiting(entries) {
    for (const list of document.querySelectorAll("[data-waiting-for]")) {
      const prefixes = list.dataset.waitingFor.split(/\s+/).filter(Boolean);
      const mine = entries.filter((e) => prefixes.some((p) => new URL(e.url).pathname.startsWith(p)));
      list.querySelectorAll("li.waiting").forEach((li) => li.remove());
      const shops = new Set();
      for (const entry of mine) {
        const shop = new URL(entry.url).pathname.match(/visits\/new\/(\d+)\/$/);
        if (shop) shops.add(shop[1]);
        const item = document.createElement("li");
        item.className = "visit waiting";
        const title = document.createElement("span");
        title.className = "title";
        title.textContent = entry.title;
        const badge = document.createElement("span");
        const refused = entry.state === STATE_FAILED;
        badge.className = refused ? "badge overdue" : "badge due";
        badge.textContent = refused ? t("refused") : t("waiting");
        item.append(title, " ", badge);
        if (refused && entry.error) {
          const why = document.createElement("div");
          why.className = "error";
          why.textContent = entry.error;
          item.append(why);
        }
        list.append(item);
      }
      const none = list.querySelector("[data-none]");
      if (none) none.hidden = mine.length > 0;
      const count = document.querySelector("[data-visit-count]");
      if (count) {
        count.dataset.stored = count.dataset.stored || count.textContent;
        count.textContent = String(Number(count.dataset.stored) + mine.length);
      }
      for (const link of document.querySelectorAll("a.visit-link")) {
        const shop = new URL(link.href).pathname.match(/visits\/new\/(\d+)\/$/);
        const item = link.closest("li");
        if (item) item.hidden = Boolean(shop && shops.has(shop[1]));
      }
    }
  }

  function togglePanel(event) {
    const button = event.currentTarget;
    const panel = ensureBadge().querySelector(".pwa-queue-panel");
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) entriesOfUser().then((entries) => renderPanel(panel, entries));
  }

  function renderPanel(panel, entries) {
    panel.textContent = "";
    const title = document.createElement("strong");
    title.textContent = t("panelTitle");
    const list = document.createElement("ul");
    for (const entry of entries) {
      const item = document.createElement("li");
      item.className = `entry ${entry.state}`;
      const name = document.createElement("div");
      name.className = "title";
      name.textContent = entry.title;
      const meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = t("queuedAt", { t: new Date(entry.queuedAt).toLocaleString() });
      item.append(name, meta);
      if (entry.state === STATE_FAILED) {
        const error = document.createElement("div");
        error.className = "error";
        error.textContent = t("failedWith", { s: entry.status, m: entry.error || "" });
        item.append(error);
        item.append(button(t("retry"), () => retry(entry.id)), button(t("discard"), () => discard(entry.id)));
      }
      list.append(item);
    }
    const close = button(t("close"), () => {
      panel.hidden = true;
    });
    close.className = "btn secondary";
    panel.append(title, list, close);
  }

  function button(label, onClick) {
    const el = document.createElement("button");
    el.type = "button";
    el.textContent = label;
    el.addEventListener("click", onClick);
    return el;
  }

  async function findEntry(id) {
    return (await entriesOfUser()).find((e) => e.id === id);
  }

  async function retry(id) {
    const entry = await findEntry(id);
    if (!entry) return;
    await dbPut({ ...entry, state: STATE_QUEUED, error: "" });
    await refreshBadge();
    replaySoon();
  }

  async function discard(id) {
    if (!(await findEntry(id)) || !window.confirm(t("discardConfirm"))) return;
    await dbDelete(id);
    await refreshBadge();
  }

  // ---- Start -------------------------------------------------------------------------------

  /* A form shown from the phone's copy of a page needs an id of its own: the server's id in the
     copy may already belong to a record sent from that same copy before. */
  function freshClientIds() {
    if (document.documentElement.dataset.offlineCopy === undefined || !window.crypto?.randomUUID) return;
    for (const input of document.querySelectorAll(`${FORM_SELECTOR} input[name="client_id"]`)) {
      input.value = crypto.randomUUID();
    }
  }

  function boot() {
    freshClientIds();
    refreshBadge().catch((err) => console.warn(err));
    replaySoon();
  }

  window.patrolQueue = {
    boot,
    replay,
    pendingCount,
    entries: entriesOfUser,
    retry,
    discard,
    /** Store a record again as it was (a record read from `entries()`): tests of the resend. */
    requeue: async (entry) => {
      const { id, ...rest } = entry;
      await dbAdd({ ...rest, state: STATE_QUEUED });
      await refreshBadge();
    },
  };
  window.addEventListener("submit", onSubmit);
  window.addEventListener("online", () => {
    refreshBadge();
    replaySoon();
  });
  window.addEventListener("offline", () => refreshBadge());
  // On window: document listeners are lost when a form's answer rewrites the document.
  window.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") replaySoon();
  });
  setInterval(replaySoon, REPLAY_EVERY_MS);
  boot();
})();
