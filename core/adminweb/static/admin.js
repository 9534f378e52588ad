// The admin dashboard's script: actions without a page reload, and live panels.
// Every form marked data-action posts with the session's CSRF token (header and field); the
// answer is shown as text (textContent, never HTML); the panels are re-read from the server,
// which renders and escapes them.
(() => {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  const panels = document.getElementById("panels");
  if (!meta || !panels) return; // the login page
  const csrf = meta.content;
  const notice = document.getElementById("notice");
  const status = document.querySelector("header .status");
  const REFRESH_MS = 5000;

  function show(text, ok) {
    notice.textContent = text;
    notice.dataset.state = ok ? "ok" : "bad";
    notice.hidden = !text;
  }

  function online(up) {
    status.dataset.state = up ? "online" : "offline";
    status.textContent = up ? "live" : "hub unreachable";
  }

  async function refresh() {
    try {
      const response = await fetch("/admin/panels", { credentials: "same-origin" });
      if (response.status === 401) { window.location.assign("/admin/login"); return; }
      if (!response.ok) { online(false); return; }
      panels.innerHTML = await response.text(); // server-rendered, every value escaped there
      online(true);
    } catch (_err) {
      online(false);
    }
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-action")) return;
    event.preventDefault();
    const submitter = event.submitter;
    const url = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    const body = new URLSearchParams(new FormData(form, submitter || undefined));
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      });
      if (response.status === 401) { window.location.assign("/admin/login"); return; }
      let answer = {};
      try { answer = await response.json(); } catch (_err) { answer = {}; }
      const text = answer.text || answer.error || `The hub answered ${response.status}.`;
      show(text, response.ok && answer.ok !== false);
      await refresh();
    } catch (_err) {
      show("The hub could not be reached; reload to see what changed.", false);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });

  setInterval(refresh, REFRESH_MS);
})();
