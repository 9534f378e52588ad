// Safe Markdown for model answers: the text is parsed into DOM nodes (paragraphs, lists, code
// blocks, `code`, **bold**, *italics*, [links](https://…)) built with createElement and text
// nodes only. Nothing is ever assigned to innerHTML, so HTML the model writes is shown as text.
(() => {
  "use strict";
  const SAFE_LINK = /^(https?:|mailto:)/i;
  const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\[[^\]\n]+\]\([^()\s]+\))|(\*[^*\s][^*\n]*\*)|(\b_[^_\s][^_\n]*_\b)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;

  function el(tag, parent, text) {
    const node = document.createElement(tag);
    if (text !== undefined) node.appendChild(document.createTextNode(text));
    if (parent) parent.appendChild(node);
    return node;
  }

  function link(parent, label, href) {
    if (!SAFE_LINK.test(href)) { parent.appendChild(document.createTextNode(label)); return; }
    const a = el("a", parent, label);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
  }

  function inline(parent, text) {
    let last = 0;
    for (const m of text.matchAll(INLINE)) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      const [whole, code, bold, anchor, em, underscore, url] = m;
      if (code) el("code", parent, code.slice(1, -1));
      else if (bold) inline(el("strong", parent), bold.slice(2, -2));
      else if (anchor) {
        const split = anchor.indexOf("](");
        link(parent, anchor.slice(1, split), anchor.slice(split + 2, -1));
      } else if (em || underscore) inline(el("em", parent), whole.slice(1, -1));
      else if (url) link(parent, url, url);
      last = m.index + whole.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function lines(parent, block) {
    block.forEach((line, i) => {
      if (i) el("br", parent);
      inline(parent, line);
    });
  }

  const FENCE = /^\s*```/, BULLET = /^\s*[-*+•]\s+(.*)$/, NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
  const HEADING = /^\s*#{1,6}\s+(.*)$/;

  function render(container, text) {
    container.replaceChildren();
    const all = text.replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    while (i < all.length) {
      const line = all[i];
      if (FENCE.test(line)) {                       // a code block; an unfinished one runs to the end
        const body = [];
        for (i += 1; i < all.length && !FENCE.test(all[i]); i += 1) body.push(all[i]);
        i += 1;
        el("code", el("pre", container), body.join("\n"));
      } else if (BULLET.test(line) || NUMBERED.test(line)) {
        const kind = BULLET.test(line) ? BULLET : NUMBERED;
        const list = el(kind === BULLET ? "ul" : "ol", container);
        for (; i < all.length && kind.test(all[i]); i += 1) inline(el("li", list), all[i].match(kind)[1]);
      } else if (HEADING.test(line)) {
        inline(el("strong", el("p", container)), line.match(HEADING)[1]);
        i += 1;
      } else if (!line.trim()) {
        i += 1;
      } else {
        const block = [];
        for (; i < all.length && all[i].trim() && !FENCE.test(all[i]) && !BULLET.test(all[i])
               && !NUMBERED.test(all[i]) && !HEADING.test(all[i]); i += 1) block.push(all[i]);
        lines(el("p", container), block);
      }
    }
  }

  window.SwitchboardMarkdown = { render };
})();
