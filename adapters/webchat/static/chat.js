// Switchboard web chat: one WebSocket, history kept in this browser's localStorage.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const log = $("log"), input = $("input"), form = $("composer"), typing = $("typing");
  const errorBox = $("error"), statusBox = $("status"), greeting = $("greeting"), stopButton = $("stop");
  const HISTORY_KEY = "switchboard.history", SESSION_KEY = "switchboard.session";
  const MAX_HISTORY = 200;
  let session = localStorage.getItem(SESSION_KEY) || "";
  let history = loadHistory();
  let socket = null, retryDelay = 500, outbox = [], stopToken = "";

  function loadHistory() {
    try {
      const stored = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(stored) ? stored.filter((h) => h && typeof h.text === "string") : [];
    } catch (_err) {
      return [];  // a damaged history must not break the page
    }
  }
  function save() {
    history = history.slice(-MAX_HISTORY);
    try { localStorage.setItem(HISTORY_KEY, JSON.stringify(history)); } catch (_err) { /* storage full or off */ }
  }
  const stamp = (t) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

  function render(entry) {
    let li = entry.id ? log.querySelector(`[data-id="${CSS.escape(entry.id)}"]`) : null;
    if (!li) {
      li = document.createElement("li");
      li.className = `msg ${entry.who}` + (entry.notice ? " notice" : "");
      if (entry.id) li.dataset.id = entry.id;
      li.appendChild(document.createElement("div")).className = "text";
      li.appendChild(document.createElement("time"));
      log.appendChild(li);
    }
    const body = li.querySelector(".text");
    if (entry.who === "bot" && !entry.notice) window.SwitchboardMarkdown.render(body, entry.text);
    else body.textContent = entry.text;
    greeting.hidden = true;
    li.querySelector("time").textContent = stamp(entry.at);
    log.scrollTop = log.scrollHeight;
  }

  function remember(entry) {
    const existing = entry.id && history.find((h) => h.id === entry.id);
    if (existing) Object.assign(existing, entry); else history.push(entry);
    save();
    render(existing || entry);
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    clearTimeout(showError.timer);
    showError.timer = setTimeout(() => { errorBox.hidden = true; }, 6000);
  }

  function setStatus(state, text) { statusBox.dataset.state = state; statusBox.textContent = text; }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws?session=${encodeURIComponent(session)}`);
    socket.onopen = () => {
      retryDelay = 500;
      setStatus("online", "online");
      while (outbox.length) socket.send(outbox.shift());
    };
    socket.onclose = () => {
      setStatus("offline", "reconnecting…");
      typing.hidden = true;
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    };
    socket.onmessage = (msg) => {
      let frame;
      try { frame = JSON.parse(msg.data); } catch (_err) { showError("The server sent something unreadable."); return; }
      if (frame.type === "hello") {
        session = frame.session;
        localStorage.setItem(SESSION_KEY, session);
      } else if (frame.type === "typing") {
        typing.hidden = !frame.active;
        running(frame.active, stopToken);
      } else if (frame.type === "reply") {
        typing.hidden = true;
        if (frame.stop) running(true, frame.stop);
        remember({ who: "bot", id: frame.id, text: frame.text, notice: frame.notice, at: Date.now() });
      } else if (frame.type === "edit") {
        typing.hidden = true;
        running(Boolean(frame.stop), frame.stop || "");  // the final edit has no stop token
        remember({ who: "bot", id: frame.id, text: frame.text, at: Date.now() });
      } else if (frame.type === "error") {
        typing.hidden = true;
        showError(frame.text);
      }
    };
  }

  // The Stop button shows while an answer is being written; it ends that answer (= /stop).
  function running(active, token) {
    stopButton.hidden = !active;
    stopToken = active ? token : "";
  }
  stopButton.addEventListener("click", () => {
    const frame = JSON.stringify({ type: "stop", answer: stopToken });
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame); else outbox.push(frame);
    running(false, "");
  });

  function sendText(text) {
    const id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now() + Math.random())).replace(/[^A-Za-z0-9-]/g, "");
    remember({ who: "me", id: `me-${id}`, text, at: Date.now() });
    const frame = JSON.stringify({ type: "message", id, text });
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame); else outbox.push(frame);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) { showError("Type a message first."); return; }
    sendText(text);
    input.value = "";
    input.style.height = "auto";
  });
  greeting.querySelectorAll("button[data-example]").forEach((button) => {
    button.addEventListener("click", () => { sendText(button.dataset.example); input.focus(); });
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  input.addEventListener("input", () => {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  });
  $("clear").addEventListener("click", () => {
    history = []; save(); log.replaceChildren(); greeting.hidden = false;
    session = ""; localStorage.removeItem(SESSION_KEY);
    if (socket) socket.close();
  });

  greeting.hidden = history.length > 0;
  history.forEach(render);
  connect();
  input.focus();
})();
