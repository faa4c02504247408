// The patrol app's offline shell: pages and bundled assets are served from the cache when the
// network is down. API calls and logins are never cached (personal data stays off the device).
const CACHE = "anpr-patrol-v2";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(["/patrol/", "/config.json", "/icon.svg"])));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))),
  );
  self.clients.claim();
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/login") return;
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(event.request, copy));
        }
        return res;
      })
      .catch(() => caches.match(event.request).then((hit) => hit || caches.match("/patrol/"))),
  );
});

// Web Push (VAPID): the payload has no plate in clear and no image (anpr.live.service.push_payload);
// tapping the notification opens the alert through the authenticated API (recorded as viewed).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const title = data.title || "ANPR";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || "",
      tag: data.alert_id,
      data: { alert_id: data.alert_id },
      requireInteraction: data.priority === "high",
      vibrate: data.priority === "high" ? [300, 120, 300] : undefined,
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const id = event.notification.data && event.notification.data.alert_id;
  event.waitUntil(self.clients.openWindow(id ? `/patrol/#alert/${encodeURIComponent(id)}` : "/patrol/"));
});
