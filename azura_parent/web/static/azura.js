// Azura's dashboard, enhanced: live cards over server-sent events, a progress bar that moves between events,
// and controls that answer in place. Without this script every page still reads and every form still posts.
"use strict";
(function () {
  const skew = Date.now() - Number(document.body.dataset.serverNow || Date.now());

  function fmt(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  function tick() {
    for (const card of document.querySelectorAll(".card")) {
      const length = Number(card.dataset.length);
      const live = card.querySelector(".live-badge");  // a stream: its time runs on, with no end
      if (!length && !live) continue;
      let pos = Number(card.dataset.position);
      if (card.dataset.paused !== "1") pos += Date.now() - skew - Number(card.dataset.readAt);
      pos = Math.max(0, live ? pos : Math.min(length, pos));
      const bar = card.querySelector("progress.bar");
      if (bar) bar.value = pos;
      const text = card.querySelector(".pos");
      if (text) text.textContent = fmt(pos);
    }
  }
  setInterval(tick, 250);

  // The fields of a card whose value the viewer changed (an input typed into, another option chosen), by id.
  function edits(card) {
    const changed = [];
    for (const field of card.querySelectorAll("input[id], select[id]")) {
      const initial = field.tagName === "SELECT"
        ? (Array.from(field.options).find((o) => o.defaultSelected) || field.options[0] || {}).value
        : field.defaultValue;
      if (field.value !== initial) changed.push([field.id, field.value]);
    }
    return changed;
  }

  function listen() {
    const cards = document.getElementById("cards");
    if (!cards || !window.EventSource) return;
    const source = new EventSource(cards.dataset.events);
    source.addEventListener("card", (message) => {
      const data = JSON.parse(message.data);
      const old = document.getElementById("card-" + data.channel_id);
      const start = document.getElementById("start-" + data.channel_id);  // the viewer's channel, before it plays
      if (start) start.hidden = data.html !== null;
      if (data.html === null) { if (old) old.remove(); return; }
      const holder = document.createElement("div");
      holder.innerHTML = data.html;
      const card = holder.firstElementChild;
      const focused = old && old.contains(document.activeElement) ? document.activeElement.id : null;
      const typed = old ? edits(old) : [];  // what the viewer is typing or choosing survives the new card
      const open = old && old.querySelector("details.more") && old.querySelector("details.more").open;
      const status = old && old.querySelector(".status");
      if (old) old.replaceWith(card); else { cards.appendChild(card); const none = document.getElementById("no-cards"); if (none) none.remove(); }
      if (open) card.querySelector("details.more").open = true;
      if (status && status.textContent) { const s = card.querySelector(".status"); s.textContent = status.textContent; s.className = status.className; }
      for (const [id, value] of typed) { const field = document.getElementById(id); if (field) field.value = value; }
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
      tick();
    });
  }
  listen();

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    const card = form.closest(".card");
    if (!card || !form.classList.contains("control")) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    const status = card.querySelector(".status");
    try {
      const reply = await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)),
                                               headers: { Accept: "application/json" }, credentials: "same-origin" });
      const data = await reply.json();
      const now = document.getElementById(card.id);
      const target = now ? now.querySelector(".status") : status;
      target.textContent = data.text;
      target.className = "status" + (data.ok ? "" : " error");
      if (data.ok && form.querySelector("input[type=search]")) form.reset();
    } catch (error) {
      status.textContent = "⚠️ The dashboard can't be reached. Check your connection and try again.";
      status.className = "status error";
    } finally {
      if (button) button.disabled = false;
    }
  });
})();
