// The sandbox page: a Slack-like channel with whybot in it, drawn from GET /api/state.
// No framework, no build step, no requests outside this origin.
// SECURITY: every piece of data becomes a text node (textContent) or a DOM property set
// explicitly; innerHTML is never used, and links are only http(s).

// ---------------------------------------------------------------------------------------------
// DOM helpers

/** Creates an element; `props` sets className, text, dataset, title, type, on* handlers and a few safe properties. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'className') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'title' || k === 'type' || k === 'value' || k === 'disabled' || k === 'hidden' || k === 'checked' || k === 'name' || k === 'selected')
        el[k] = v;
      else if (k === 'ariaLabel') el.setAttribute('aria-label', String(v));
      else if (k === 'role') el.setAttribute('role', String(v));
      else throw new Error(`h(): unsupported property ${k}`);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const $ = (id) => document.getElementById(id);

/** An http(s) URL as a string, or undefined for anything else (javascript:, data:, relative…). */
function safeUrl(raw) {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function link(url, label) {
  const href = safeUrl(url);
  if (!href) return document.createTextNode(label);
  const a = h('a', { className: 'link', text: label });
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

// ---------------------------------------------------------------------------------------------
// mrkdwn → DOM

const EMOJI = {
  red_circle: '🔴',
  white_check_mark: '✅',
  x: '❌',
  warning: '⚠️',
  key: '🔑',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  mag: '🔍',
  large_orange_circle: '🟠',
  large_blue_circle: '🔵',
  large_green_circle: '🟢',
  white_circle: '⚪',
  grey_question: '❔',
  question: '❓',
  rotating_light: '🚨',
  calendar: '📆',
  information_source: 'ℹ️',
  eyes: '👀',
  no_entry: '⛔',
  fast_forward: '⏩',
  lock: '🔒',
  unlock: '🔓',
  tada: '🎉',
  heavy_check_mark: '✔️',
  repeat: '🔁',
  arrows_counterclockwise: '🔄',
  stopwatch: '⏱️',
  bell: '🔔',
  wrench: '🔧',
};

/** Slack's three entities, decoded once (so `&amp;lt;` shows `&lt;`). */
function decodeEntities(s) {
  return s.replace(/&(amp|lt|gt);/g, (_, e) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'));
}

/** Text with emoji shortcodes replaced (unknown ones stay as typed) and line breaks kept. */
function textNodes(raw, { emoji = true, decode = true } = {}) {
  const s = decode ? decodeEntities(raw) : raw;
  const out = [];
  const lines = s.split('\n');
  lines.forEach((line, i) => {
    if (i > 0) out.push(h('br'));
    const t = emoji ? line.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m) : line;
    if (t) out.push(document.createTextNode(t));
  });
  return out;
}

const WORDY = /[\p{L}\p{N}]/u;

/** The earliest inline token at or after `from`: code, <…>, *bold*, _italic_, ~strike~. */
function nextToken(s, from) {
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1 && !s.slice(i + 1, end).includes('\n')) return { start: i, end: end + 1, kind: 'code', inner: s.slice(i + 1, end) };
    } else if (c === '<') {
      const end = s.indexOf('>', i + 1);
      if (end > i + 1 && !s.slice(i + 1, end).includes('\n') && !s.slice(i + 1, end).includes('<'))
        return { start: i, end: end + 1, kind: 'angle', inner: s.slice(i + 1, end) };
    } else if (c === '*' || c === '_' || c === '~') {
      const before = i > 0 ? s[i - 1] : ' ';
      if (WORDY.test(before) || s[i + 1] === undefined || /\s/.test(s[i + 1]) || s[i + 1] === c) continue;
      let end = i + 1;
      while ((end = s.indexOf(c, end)) !== -1) {
        if (s.slice(i + 1, end).includes('\n')) {
          end = -1;
          break;
        }
        const after = s[end + 1];
        if (!/\s/.test(s[end - 1]) && (after === undefined || !WORDY.test(after))) break;
        end++;
      }
      if (end > i + 1) return { start: i, end: end + 1, kind: c === '*' ? 'b' : c === '_' ? 'i' : 's', inner: s.slice(i + 1, end) };
    }
  }
  return undefined;
}

function angleNode(inner, ctx) {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = label ? decodeEntities(label) : ctx.userName(id);
    return h('span', { className: 'mention', text: `@${name}` });
  }
  if (target.startsWith('#')) {
    const name = label ? decodeEntities(label) : ctx.channelName(target.slice(1));
    return h('span', { className: 'mention', text: `#${name}` });
  }
  if (target.startsWith('!')) {
    if (target.startsWith('!date^')) return h('span', { className: 'date', text: decodeEntities(label ?? target.split('^')[1] ?? '') });
    if (target.startsWith('!subteam^')) return h('span', { className: 'mention', text: decodeEntities(label ?? '@group') });
    const word = target.slice(1);
    return h('span', { className: 'mention', text: `@${decodeEntities(label ?? word)}` });
  }
  const url = decodeEntities(target);
  return link(url, label !== undefined ? decodeEntities(label) : url);
}

function inline(s, ctx, depth = 0) {
  const out = [];
  let pos = 0;
  while (pos < s.length) {
    const t = depth > 4 ? undefined : nextToken(s, pos);
    if (!t) {
      out.push(...textNodes(s.slice(pos)));
      break;
    }
    if (t.start > pos) out.push(...textNodes(s.slice(pos, t.start)));
    if (t.kind === 'code') out.push(h('code', { className: 'inline-code', text: decodeEntities(t.inner) }));
    else if (t.kind === 'angle') out.push(angleNode(t.inner, ctx));
    else out.push(h(t.kind === 'b' ? 'strong' : t.kind === 'i' ? 'em' : 's', null, inline(t.inner, ctx, depth + 1)));
    pos = t.end;
  }
  return out;
}

/** Slack mrkdwn as DOM nodes: ```pre``` first, then inline formatting; quotes (`&gt; `) as blockquotes. */
function mrkdwn(text, ctx) {
  const frag = document.createDocumentFragment();
  const parts = String(text ?? '').split(/```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      frag.append(h('pre', { className: 'pre', text: decodeEntities(part.replace(/^\n/, '').replace(/\n$/, '')) }));
      return;
    }
    const chunk = i % 2 === 1 ? '```' + part : part; // an unclosed fence is text
    if (!chunk) return;
    // block quotes: consecutive lines starting with "&gt; " (how Slack receives "> ")
    const lines = chunk.split('\n');
    let buf = [];
    let quote = [];
    const flush = () => {
      if (buf.length) {
        append(frag, inline(buf.join('\n'), ctx));
        buf = [];
      }
      if (quote.length) {
        frag.append(h('blockquote', { className: 'quote' }, inline(quote.join('\n'), ctx)));
        quote = [];
      }
    };
    for (const line of lines) {
      if (line.startsWith('&gt; ') || line === '&gt;') {
        if (buf.length) {
          const q = quote;
          quote = [];
          flush();
          quote = q;
        }
        quote.push(line.replace(/^&gt; ?/, ''));
      } else {
        if (quote.length) {
          const b = buf;
          buf = [];
          flush();
          buf = b;
        }
        buf.push(line);
      }
    }
    flush();
    // a pre block eats the newline before it in Slack; keep the text flow otherwise
  });
  return frag;
}

/** A Block Kit text object (plain_text or mrkdwn). */
function textObject(t, ctx) {
  if (!t) return document.createDocumentFragment();
  if (typeof t === 'string') return mrkdwn(t, ctx);
  if (t.type === 'mrkdwn') return mrkdwn(t.text, ctx);
  const frag = document.createDocumentFragment();
  append(frag, textNodes(String(t.text ?? ''), { emoji: t.emoji !== false, decode: false }));
  return frag;
}

const plain = (t) => (t && typeof t === 'object' ? String(t.text ?? '') : String(t ?? ''));

// ---------------------------------------------------------------------------------------------
// Block Kit → DOM. `ctx` carries what an element needs to act: the message (or view) and callbacks.

function renderBlocks(blocks, ctx) {
  const wrap = h('div', { className: 'blocks' });
  for (const b of Array.isArray(blocks) ? blocks : []) wrap.append(renderBlock(b, ctx));
  return wrap;
}

function renderBlock(b, ctx) {
  switch (b?.type) {
    case 'section': {
      const el = h('div', { className: 'block section' });
      const main = h('div', { className: 'section-main' });
      if (b.text) main.append(h('div', { className: 'section-text' }, textObject(b.text, ctx)));
      if (Array.isArray(b.fields) && b.fields.length)
        main.append(h('div', { className: 'section-fields' }, b.fields.map((f) => h('div', { className: 'field' }, textObject(f, ctx)))));
      el.append(main);
      if (b.accessory) el.append(h('div', { className: 'accessory' }, renderElement(b.accessory, b, ctx)));
      return el;
    }
    case 'context':
      return h(
        'div',
        { className: 'block context' },
        (b.elements ?? []).map((e) =>
          e.type === 'image' ? h('span', { className: 'image-alt', text: `[${e.alt_text ?? 'image'}]` }) : h('span', { className: 'context-item' }, textObject(e, ctx)),
        ),
      );
    case 'actions':
      return h('div', { className: 'block actions' }, (b.elements ?? []).map((e) => renderElement(e, b, ctx)));
    case 'divider':
      return h('hr', { className: 'block divider' });
    case 'header':
      return h('div', { className: 'block header' }, textObject({ ...b.text, type: 'plain_text' }, ctx));
    case 'input':
      return renderInput(b, ctx);
    case 'image':
      return h('div', { className: 'block image-alt', text: `[image: ${b.alt_text ?? ''}]` });
    default:
      return h('div', { className: 'block unsupported', text: `[unsupported block: ${String(b?.type)}]` });
  }
}

function optionLabel(o) {
  return plain(o?.text);
}

function renderElement(e, block, ctx) {
  if (e.type === 'button') {
    const btn = h('button', {
      type: 'button',
      className: `bk-button${e.style === 'primary' ? ' primary' : e.style === 'danger' ? ' danger' : ''}`,
      dataset: { actionId: String(e.action_id ?? '') },
    });
    append(btn, textNodes(plain(e.text), { decode: false }));
    btn.addEventListener('click', async () => {
      if (e.confirm && !(await confirmDialog(e.confirm, ctx))) return;
      if (e.url && safeUrl(e.url)) window.open(safeUrl(e.url), '_blank', 'noopener,noreferrer');
      btn.disabled = true;
      btn.classList.add('pending');
      try {
        await ctx.onAction?.({ actionId: e.action_id, value: e.value ?? '', blockId: block?.block_id, type: 'button' });
      } finally {
        btn.disabled = false;
        btn.classList.remove('pending');
      }
    });
    return btn;
  }
  if (e.type === 'static_select' || e.type === 'external_select') {
    const sel = h('select', { className: 'bk-select', dataset: { actionId: String(e.action_id ?? '') } });
    const initial = e.initial_option?.value;
    if (initial === undefined) sel.append(h('option', { value: '', text: plain(e.placeholder) || 'Choose…', disabled: true, selected: true }));
    const addOptions = (parent, options) => {
      for (const o of options ?? []) parent.append(h('option', { value: String(o.value ?? ''), text: optionLabel(o), selected: o.value === initial }));
    };
    if (Array.isArray(e.option_groups)) for (const g of e.option_groups) {
      const og = h('optgroup');
      og.label = plain(g.label);
      addOptions(og, g.options);
      sel.append(og);
    }
    else addOptions(sel, e.options);
    sel.addEventListener('change', async () => {
      if (!ctx.onAction) return; // inside a modal: read at submit
      if (e.confirm && !(await confirmDialog(e.confirm, ctx))) return;
      sel.disabled = true;
      try {
        await ctx.onAction({ actionId: e.action_id, value: sel.value, blockId: block?.block_id, type: 'static_select' });
      } finally {
        sel.disabled = false;
      }
    });
    return sel;
  }
  if (e.type === 'overflow') {
    return renderElement({ ...e, type: 'static_select', placeholder: { type: 'plain_text', text: '⋯' } }, block, ctx);
  }
  if (e.type === 'image') return h('span', { className: 'image-alt', text: `[${e.alt_text ?? 'image'}]` });
  return h('span', { className: 'unsupported', text: `[unsupported element: ${String(e?.type)}]` });
}

/** An input block of a modal; its value is read back by `viewValues`. */
function renderInput(b, ctx) {
  const el = h('div', { className: 'block input', dataset: { blockId: String(b.block_id ?? '') } });
  el.append(h('div', { className: 'input-label' }, textObject({ type: 'plain_text', text: plain(b.label) }, ctx), b.optional ? h('span', { className: 'optional', text: ' (optional)' }) : null));
  const e = b.element ?? {};
  const holder = h('div', { className: 'input-element', dataset: { actionId: String(e.action_id ?? ''), type: String(e.type ?? '') } });
  if (e.type === 'static_select') {
    const sel = renderElement(e, b, { ...ctx, onAction: undefined });
    holder.append(sel);
  } else if (e.type === 'radio_buttons') {
    const name = `r-${ctx.viewId}-${b.block_id}`;
    for (const o of e.options ?? []) {
      const input = h('input', { type: 'radio', name, value: String(o.value ?? ''), checked: e.initial_option?.value === o.value });
      holder.append(
        h(
          'label',
          { className: 'radio' },
          input,
          h('span', null, textObject(o.text, ctx)),
          o.description ? h('span', { className: 'radio-description' }, textObject(o.description, ctx)) : null,
        ),
      );
    }
  } else if (e.type === 'plain_text_input') {
    const input = h(e.multiline ? 'textarea' : 'input', { className: 'text-input', value: e.initial_value ?? '' });
    holder.append(input);
  } else {
    holder.append(h('span', { className: 'unsupported', text: `[unsupported input: ${String(e.type)}]` }));
  }
  el.append(holder);
  if (b.hint) el.append(h('div', { className: 'input-hint' }, textObject(b.hint, ctx)));
  el.append(h('div', { className: 'input-error', hidden: true }));
  return el;
}

/**
 * The modal's chosen values as the sandbox server takes them: `{ "block_id.action_id": value }`
 * (the selected option's value, or the text typed); the server builds Slack's view.state.values
 * from these and the view's blocks.
 */
function viewValues(root, view) {
  const values = {};
  for (const b of view.blocks ?? []) {
    if (b.type !== 'input' || !b.element) continue;
    const e = b.element;
    const blockEl = [...root.querySelectorAll('.block.input')].find((x) => x.dataset.blockId === String(b.block_id ?? ''));
    if (!blockEl) continue;
    const key = `${b.block_id}.${e.action_id}`;
    if (e.type === 'static_select') {
      const v = blockEl.querySelector('select')?.value;
      if (v) values[key] = v;
    } else if (e.type === 'radio_buttons') {
      const v = blockEl.querySelector('input[type=radio]:checked')?.value;
      if (v !== undefined) values[key] = v;
    } else if (e.type === 'plain_text_input') {
      values[key] = blockEl.querySelector('input,textarea')?.value ?? '';
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Dialogs

/** Block Kit `confirm` object → a dialog; resolves true on confirm. */
function confirmDialog(c, ctx) {
  return new Promise((resolve) => {
    const root = $('confirm-root');
    const done = (v) => {
      root.replaceChildren();
      document.removeEventListener('keydown', onKey);
      resolve(v);
    };
    const onKey = (ev) => {
      if (ev.key === 'Escape') done(false);
    };
    document.addEventListener('keydown', onKey);
    const ok = h('button', { type: 'button', className: `bk-button ${c.style === 'danger' ? 'danger' : 'primary'}`, text: plain(c.confirm) || 'Yes', onclick: () => done(true) });
    root.replaceChildren(
      h(
        'div',
        { className: 'overlay confirm-overlay' },
        h(
          'div',
          { className: 'dialog confirm-dialog', role: 'dialog', ariaLabel: plain(c.title) || 'Are you sure?' },
          h('div', { className: 'dialog-title', text: plain(c.title) || 'Are you sure?' }),
          h('div', { className: 'dialog-body' }, textObject(c.text, ctx)),
          h('div', { className: 'dialog-buttons' }, h('button', { type: 'button', className: 'bk-button', text: plain(c.deny) || 'Cancel', onclick: () => done(false) }), ok),
        ),
      ),
    );
    ok.focus();
  });
}

// ---------------------------------------------------------------------------------------------
// API

async function api(path, body) {
  const res = await fetch(path, body === undefined ? { cache: 'no-store' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  let json;
  try {
    json = await res.json();
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const msg = json && typeof json === 'object' && json.error ? String(json.error) : `HTTP ${res.status}`;
    throw Object.assign(new Error(msg), { status: res.status, body: json });
  }
  return json;
}

// ---------------------------------------------------------------------------------------------
// State and rendering

const ui = {
  state: undefined,
  version: undefined,
  channel: undefined, // channel id shown
  thread: undefined, // { channel, ts } open in the right pane
  seen: new Map(), // channel id → root count seen (for unread badges)
  local: [], // client-side ephemerals: { id, channel, after, text?, blocks?, from }
  localSeq: 0,
  polling: false,
  pollAgain: false,
  error: undefined,
};

const isRoot = (m) => !m.threadTs || m.threadTs === m.ts;
const tsNum = (ts) => Number.parseFloat(ts) || 0;

function renderCtx() {
  const s = ui.state;
  return {
    userName: (id) => [s?.user, ...(s?.users ?? [])].find((u) => u && u.id === id)?.name ?? id,
    channelName: (id) => s?.channels?.find((c) => c.id === id)?.name ?? id,
  };
}

/** Keeps `container`'s children in the order of `items`, rebuilding only those whose signature changed. */
function syncList(container, items, key, sig, build) {
  const prev = container._nodes ?? new Map();
  const next = new Map();
  let cursor = container.firstChild;
  for (const item of items) {
    const k = key(item);
    const s = sig(item);
    let entry = prev.get(k);
    if (!entry || entry.sig !== s) {
      const el = build(item);
      el.dataset.key = k;
      if (entry) {
        if (entry.el === cursor) cursor = cursor.nextSibling;
        entry.el.remove();
      }
      entry = { el, sig: s };
    }
    next.set(k, entry);
    if (entry.el === cursor) cursor = cursor.nextSibling;
    else container.insertBefore(entry.el, cursor);
  }
  for (const [k, entry] of prev) if (!next.has(k)) entry.el.remove();
  // anything left that is not ours (e.g. an empty-state note)
  for (const el of [...container.children]) if (!el.dataset.key || !next.has(el.dataset.key)) el.remove();
  container._nodes = next;
}

function atBottom(el) {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
}

/** Runs `update`, then keeps the pane pinned to the bottom if it was there. */
function keepScroll(el, update) {
  const pinned = atBottom(el);
  const top = el.scrollTop;
  update();
  if (pinned) el.scrollTop = el.scrollHeight;
  else el.scrollTop = top;
}

/** HH:MM:SS UTC of an ISO string or epoch ms. */
function clock(at) {
  const d = typeof at === 'number' ? new Date(at) : typeof at === 'string' ? new Date(at) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString().slice(11, 19) : '';
}

function timeOf(ts) {
  const n = tsNum(ts);
  if (!n) return '';
  return new Date(n * 1000).toISOString().slice(11, 16);
}

function authorOf(m) {
  if (m.from) return m.from;
  // an ephemeral's `user` is who sees it, not who wrote it: whybot wrote it
  if (!m.user || m.ephemeral) return { name: 'whybot', bot: true };
  const s = ui.state;
  const known = [s?.user, ...(s?.users ?? [])].find((u) => u && u.id === m.user);
  return known ? { name: known.name, bot: false } : { name: 'whybot', bot: true };
}

/** Ephemerals are shown only to the user they are for. */
function visible(m) {
  return !m.ephemeral || !m.user || m.user === ui.state?.user?.id;
}

function messageView(m, { inThread, replies }) {
  const author = authorOf(m);
  const el = h('div', { className: `message${m.ephemeral ? ' ephemeral' : ''}${m.local ? ' local' : ''}`, dataset: { ts: String(m.ts ?? '') } });
  el.append(h('div', { className: `avatar${author.bot ? ' bot' : ''}`, text: author.bot ? 'W' : (author.name[0] ?? '?').toUpperCase(), ariaLabel: author.name }));
  const body = h('div', { className: 'message-body' });
  body.append(
    h(
      'div',
      { className: 'message-meta' },
      h('span', { className: 'author', text: author.name }),
      author.bot ? h('span', { className: 'app-badge', text: 'APP' }) : null,
      m.local ? null : h('span', { className: 'time', text: timeOf(m.ts), title: `ts ${m.ts}` }),
      m.updates > 0 ? h('span', { className: 'edited', text: '(updated)', title: `updated ${m.updates} time${m.updates === 1 ? '' : 's'}` }) : null,
    ),
  );
  if (m.ephemeral) body.append(h('div', { className: 'only-you', text: '👁 Only visible to you' }));
  const ctx = {
    ...renderCtx(),
    onAction: m.local
      ? undefined
      : (a) =>
          act('/api/action', {
            channel: m.channel,
            messageTs: m.ts,
            actionId: a.actionId,
            value: a.value,
            ...(a.blockId !== undefined ? { blockId: a.blockId } : {}),
            ...(a.type === 'static_select' ? { type: 'static_select' } : {}),
            ...(m.threadTs && m.threadTs !== m.ts ? { threadTs: m.threadTs } : {}),
          }),
  };
  if (Array.isArray(m.blocks) && m.blocks.length) body.append(renderBlocks(m.blocks, ctx));
  else if (m.text) body.append(h('div', { className: 'blocks' }, h('div', { className: 'block section' }, h('div', { className: 'section-text' }, mrkdwn(m.text, ctx)))));
  if (!inThread && replies && replies.count > 0) {
    body.append(
      h(
        'button',
        {
          type: 'button',
          className: 'replies',
          onclick: () => openThread(m.channel, m.ts),
        },
        h('span', { className: 'replies-count', text: `${replies.count} ${replies.count === 1 ? 'reply' : 'replies'}` }),
        h('span', { className: 'replies-last', text: replies.lastTs ? `Last reply ${timeOf(replies.lastTs)}` : '' }),
      ),
    );
  }
  el.append(body);
  return el;
}

function msgSig(m, extra) {
  return JSON.stringify([m.text, m.blocks, m.updates, m.ephemeral, m.user, m.ts, extra, ui.state?.user?.id, ui.state?.user?.name]);
}

function channelItems(channel) {
  const msgs = (ui.state?.messages ?? []).filter((m) => m.channel === channel && isRoot(m) && visible(m));
  // local ephemerals (command acks) go after the message count they were added at
  const items = [];
  const locals = ui.local.filter((l) => l.channel === channel);
  let li = 0;
  msgs.forEach((m, i) => {
    while (li < locals.length && locals[li].after <= i) items.push(locals[li++]);
    items.push(m);
  });
  while (li < locals.length) items.push(locals[li++]);
  return items;
}

function repliesOf(channel, ts) {
  return (ui.state?.messages ?? []).filter((m) => m.channel === channel && m.threadTs === ts && m.ts !== ts && visible(m));
}

function render() {
  const s = ui.state;
  if (!s) return;
  const channels = s.channels ?? [];
  if (!ui.channel || !channels.some((c) => c.id === ui.channel)) ui.channel = channels[0]?.id;
  const chName = (id) => channels.find((c) => c.id === id)?.name ?? id;

  // sidebar: channels with unread counts
  const rootCount = (id) => (s.messages ?? []).filter((m) => m.channel === id && isRoot(m) && visible(m)).length;
  if (ui.channel) ui.seen.set(ui.channel, rootCount(ui.channel));
  syncList(
    $('channels'),
    channels,
    (c) => c.id,
    (c) => JSON.stringify([c.name, c.id === ui.channel, Math.max(0, rootCount(c.id) - (ui.seen.get(c.id) ?? 0))]),
    (c) => {
      const unread = Math.max(0, rootCount(c.id) - (ui.seen.get(c.id) ?? 0));
      return h(
        'li',
        null,
        h(
          'button',
          { type: 'button', className: `channel-link${c.id === ui.channel ? ' active' : ''}${unread ? ' unread' : ''}`, dataset: { channel: c.name }, onclick: () => switchChannel(c.id) },
          h('span', { className: 'hash', text: '#' }),
          h('span', { className: 'channel-label', text: c.name }),
          unread ? h('span', { className: 'badge', text: String(unread) }) : null,
        ),
      );
    },
  );

  // scenario picker
  const picker = $('scenario');
  const scenarios = s.scenarios ?? [];
  const pickerSig = JSON.stringify(scenarios.map((x) => [x.name, x.title]));
  if (picker._sig !== pickerSig) {
    picker.replaceChildren(...scenarios.map((x) => h('option', { value: x.name, text: x.title || x.name })));
    picker._sig = pickerSig;
  }
  if (document.activeElement !== picker && s.scenario) picker.value = s.scenario.name;
  $('scenario-title').textContent = s.scenario?.title ?? '';
  $('scenario-description').textContent = s.scenario?.description ?? '';
  const cmd = scenarios.find((x) => x.name === s.scenario?.name)?.command ?? s.scenario?.command;
  const hint = $('hint');
  const hintSig = String(cmd ?? '');
  if (hint._sig !== hintSig) {
    hint._sig = hintSig;
    hint.replaceChildren(
      ...(cmd
        ? [
            h('span', { text: 'Try ' }),
            h('button', {
              type: 'button',
              className: 'hint-command',
              text: cmd,
              onclick: () => {
                $('composer').value = cmd;
                $('composer').focus();
              },
            }),
          ]
        : []),
    );
  }

  // who am I
  const role = $('role');
  if (document.activeElement !== role && s.user?.role) role.value = s.user.role;
  $('user-line').textContent = s.user ? `Signed in as ${s.user.name} (${s.user.id})` : '';
  $('busy').hidden = !s.busy;

  // channel
  $('channel-name').textContent = ui.channel ? `#${chName(ui.channel)}` : '';
  $('composer').placeholder = `Message #${chName(ui.channel)}: type a whybot command, e.g. ${cmd ?? '/why-db-down prod-db'}`;
  const pane = $('messages');
  keepScroll(pane, () => {
    const items = channelItems(ui.channel);
    syncList(
      pane,
      items,
      (m) => (m.local ? `local:${m.id}` : `${m.channel}:${m.ts}`),
      (m) => {
        const r = m.local ? undefined : repliesOf(m.channel, m.ts);
        return msgSig(m, r ? [r.length, r.at(-1)?.ts] : null);
      },
      (m) => {
        const r = m.local ? [] : repliesOf(m.channel, m.ts);
        return messageView(m, { inThread: false, replies: { count: r.length, lastTs: r.at(-1)?.ts } });
      },
    );
    if (items.length === 0) pane.append(h('div', { className: 'empty', text: `This is the very beginning of #${chName(ui.channel)}. Type a whybot command below.` }));
  });

  // thread
  const threadPane = $('thread');
  if (ui.thread) {
    const root = (s.messages ?? []).find((m) => m.channel === ui.thread.channel && m.ts === ui.thread.ts);
    if (!root) ui.thread = undefined;
  }
  threadPane.hidden = !ui.thread;
  $('app').classList.toggle('with-thread', !!ui.thread);
  if (ui.thread) {
    $('thread-channel').textContent = `#${chName(ui.thread.channel)}`;
    const list = $('thread-messages');
    const root = (s.messages ?? []).find((m) => m.channel === ui.thread.channel && m.ts === ui.thread.ts);
    const replies = repliesOf(ui.thread.channel, ui.thread.ts);
    keepScroll(list, () =>
      syncList(
        list,
        [root, { divider: true, count: replies.length }, ...replies],
        (m) => (m.divider ? 'divider' : `${m.channel}:${m.ts}`),
        (m) => (m.divider ? String(m.count) : msgSig(m, null)),
        (m) =>
          m.divider
            ? h('div', { className: 'thread-divider', text: `${m.count} ${m.count === 1 ? 'reply' : 'replies'}` })
            : messageView(m, { inThread: true }),
      ),
    );
  }

  renderInspector(s);
  renderModal(s);
}

function renderInspector(s) {
  const calls = s.awsCalls ?? [];
  $('aws-count').textContent = `(${calls.length})`;
  const callsEl = $('aws-calls');
  keepScroll(callsEl, () =>
    syncList(
      callsEl,
      calls.map((c, i) => ({ ...c, i })),
      (c) => String(c.i),
      (c) => JSON.stringify(c),
      (c) => {
        const pending = c.status === 0;
        const ok = !c.error && (typeof c.status !== 'number' || c.status < 400);
        return h(
          'div',
          { className: `call${ok ? '' : ' failed'}` },
          h('span', { className: 'call-time', text: clock(c.at) }),
          h('span', { className: 'call-op' }, h('span', { className: 'call-service', text: String(c.service ?? '') }), ' ', h('span', { text: String(c.operation ?? '') })),
          h('span', { className: 'call-ms', text: typeof c.ms === 'number' ? `${Math.round(c.ms)} ms` : '' }),
          h('span', { className: 'call-status', text: pending ? 'in progress…' : c.error ? `${String(c.status ?? '')} ${String(c.error)}`.trim() : String(c.status ?? '') }),
        );
      },
    ),
  );
  const audit = s.audit ?? [];
  $('audit-count').textContent = `(${audit.length})`;
  const auditEl = $('audit');
  keepScroll(auditEl, () =>
    syncList(
      auditEl,
      audit,
      (a) => String(a.id),
      (a) => JSON.stringify(a),
      (a) =>
        h(
          'div',
          { className: `audit-row outcome-${String(a.outcome ?? '').replace(/[^a-z-]/gi, '')}` },
          h(
            'div',
            { className: 'audit-head' },
            h('span', { className: 'call-time', text: clock(a.at) }),
            h('span', { className: 'audit-action', text: String(a.action ?? '') }),
            h('span', { className: 'audit-outcome', text: String(a.outcome ?? '') }),
          ),
          h('div', { className: 'audit-actor', text: `by ${String(a.actor ?? '')}` }),
          a.params !== undefined ? h('code', { className: 'audit-params', text: typeof a.params === 'string' ? a.params : JSON.stringify(a.params) }) : null,
          a.result !== undefined && a.result !== null ? h('div', { className: 'audit-result', text: typeof a.result === 'string' ? a.result : JSON.stringify(a.result) }) : null,
        ),
    ),
  );
  if (calls.length === 0 && !callsEl.querySelector('.empty')) callsEl.append(h('div', { className: 'empty', text: 'No AWS calls yet.' }));
  if (audit.length === 0 && !auditEl.querySelector('.empty')) auditEl.append(h('div', { className: 'empty', text: 'Nothing run yet.' }));
}

// The topmost open view is shown; it is rebuilt only when its JSON changes, so a choice made in
// its inputs survives polls.
const modalState = { id: undefined, sig: undefined, submitting: false };

function renderModal(s) {
  const root = $('modal-root');
  const open = (s.views ?? []).filter((v) => v.open);
  const top = open.at(-1);
  if (!top) {
    if (modalState.id !== undefined) root.replaceChildren();
    modalState.id = undefined;
    modalState.sig = undefined;
    return;
  }
  const sig = JSON.stringify(top.view);
  if (modalState.id === top.id && modalState.sig === sig) return;
  modalState.id = top.id;
  modalState.sig = sig;
  const view = top.view ?? {};
  const ctx = { ...renderCtx(), viewId: top.id };
  const body = h('div', { className: 'dialog-body modal-body' }, renderBlocks(view.blocks, ctx));
  const error = h('div', { className: 'modal-error', hidden: true });
  const submit = view.submit
    ? h('button', {
        type: 'button',
        className: 'bk-button primary modal-submit',
        text: plain(view.submit),
        onclick: async () => {
          submit.disabled = true;
          error.hidden = true;
          try {
            const res = await api('/api/view-submit', { viewId: top.id, values: viewValues(body, view) });
            const errs = res?.errors ?? res?.ack?.errors ?? (res?.response_action === 'errors' ? res.errors : undefined);
            if (errs && typeof errs === 'object') {
              for (const [blockId, msg] of Object.entries(errs)) {
                const b = [...body.querySelectorAll('.block.input')].find((x) => x.dataset.blockId === blockId);
                const slot = b?.querySelector('.input-error');
                if (slot) {
                  slot.textContent = String(msg);
                  slot.hidden = false;
                } else {
                  error.textContent = String(msg);
                  error.hidden = false;
                }
              }
            } else if (res && res.ok === false) {
              error.textContent = `Not accepted: ${String(res.error ?? res.status ?? 'error')}`;
              error.hidden = false;
            }
          } catch (err) {
            error.textContent = `Could not submit: ${err.message}`;
            error.hidden = false;
          } finally {
            submit.disabled = false;
            poll();
          }
        },
      })
    : null;
  const close = h('button', {
    type: 'button',
    className: 'bk-button modal-close',
    text: plain(view.close) || (view.submit ? 'Cancel' : 'Close'),
    onclick: async () => {
      try {
        await api('/api/view-close', { viewId: top.id });
      } catch (err) {
        error.textContent = `Could not close: ${err.message}`;
        error.hidden = false;
      }
      poll();
    },
  });
  root.replaceChildren(
    h(
      'div',
      { className: 'overlay modal-overlay' },
      h(
        'div',
        { className: 'dialog modal', role: 'dialog', ariaLabel: plain(view.title) || 'Dialog', dataset: { viewId: String(top.id) } },
        h('div', { className: 'dialog-title modal-title' }, h('span', { text: plain(view.title) }), h('button', { type: 'button', className: 'icon-button', text: '×', ariaLabel: 'Close', onclick: () => close.click() })),
        body,
        error,
        h('div', { className: 'dialog-buttons' }, close, submit),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Actions

function switchChannel(id) {
  ui.channel = id;
  render();
  const pane = $('messages');
  pane.scrollTop = pane.scrollHeight;
}

function openThread(channel, ts) {
  ui.thread = { channel, ts };
  $('thread-messages')._nodes = undefined;
  $('thread-messages').replaceChildren();
  render();
  const list = $('thread-messages');
  list.scrollTop = list.scrollHeight;
}

function addLocal(channel, item) {
  const after = (ui.state?.messages ?? []).filter((m) => m.channel === channel && isRoot(m) && visible(m)).length;
  ui.local.push({ ...item, id: ++ui.localSeq, local: true, channel, after, ephemeral: true, ts: String(Date.now() / 1000) });
  render();
  const pane = $('messages');
  pane.scrollTop = pane.scrollHeight;
}

function showError(text) {
  addLocal(ui.channel, { text: `:warning: ${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}` });
}

/** POSTs, then polls at once; a failure shows as an ephemeral note. */
async function act(path, body) {
  try {
    const res = await api(path, body);
    if (res && res.ok === false) showError(`${path}: ${String(res.error ?? res.status ?? 'refused')}`);
    return res;
  } catch (err) {
    showError(`${path} failed: ${err.message}`);
    return undefined;
  } finally {
    poll();
  }
}

const escapeMrkdwn = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function sendCommand(text) {
  const channel = ui.channel;
  const me = ui.state?.user;
  if (!text.startsWith('/')) {
    addLocal(channel, { text: 'The sandbox runs whybot’s slash commands: try `/why-db-down prod-db` or `/why`.', from: { name: 'Slackbot', bot: true } });
    return;
  }
  addLocal(channel, { text: '`' + escapeMrkdwn(text).replace(/`/g, 'ˋ') + '`', from: { name: me?.name ?? 'you', bot: false } });
  try {
    const res = await api('/api/command', { channel, text });
    const ack = res?.ack;
    if (res?.ok) {
      // a 200 ack is kept by the server as an ephemeral message: it arrives with the next poll
    } else if (ack && typeof ack === 'object' && (ack.text || (Array.isArray(ack.blocks) && ack.blocks.length))) {
      addLocal(channel, { text: ack.text, blocks: ack.blocks });
    } else if (typeof ack === 'string' && ack.trim()) {
      addLocal(channel, { text: escapeMrkdwn(ack) });
    } else if (res && res.ok === false) {
      addLocal(channel, { text: `:warning: ${escapeMrkdwn(String(res.error ?? `the command was refused (HTTP ${res.status})`))}`, from: { name: 'Slackbot', bot: true } });
    }
  } catch (err) {
    showError(`The command failed: ${err.message}`);
  } finally {
    poll();
  }
}

// ---------------------------------------------------------------------------------------------
// Polling

async function poll() {
  if (ui.polling) {
    ui.pollAgain = true;
    return;
  }
  ui.polling = true;
  try {
    const s = await api('/api/state');
    if (ui.error) {
      ui.error = undefined;
      $('banner').hidden = true;
    }
    if (s && (s.version !== ui.version || ui.version === undefined)) {
      const scenarioChanged = ui.state && ui.state.scenario?.name !== s.scenario?.name;
      const shrank = ui.state && (s.messages?.length ?? 0) < (ui.state.messages?.length ?? 0);
      if (scenarioChanged || shrank) {
        ui.local = [];
        ui.thread = undefined;
        ui.seen.clear();
      }
      ui.state = s;
      ui.version = s.version;
      render();
    }
  } catch (err) {
    ui.error = err;
    const b = $('banner');
    b.textContent = `The sandbox server does not answer (${err.message}); retrying…`;
    b.hidden = false;
  } finally {
    ui.polling = false;
    if (ui.pollAgain) {
      ui.pollAgain = false;
      poll();
    }
  }
}

function loop() {
  poll().finally(() => setTimeout(loop, 400));
}

// ---------------------------------------------------------------------------------------------
// Wiring

function wire() {
  $('composer').addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' || ev.shiftKey || ev.isComposing) return;
    ev.preventDefault();
    const text = ev.target.value.trim();
    if (!text) return;
    ev.target.value = '';
    sendCommand(text);
  });
  $('scenario').addEventListener('change', (ev) => {
    ui.local = [];
    ui.thread = undefined;
    act('/api/scenario', { name: ev.target.value });
  });
  $('reset').addEventListener('click', () => {
    ui.local = [];
    ui.thread = undefined;
    act('/api/reset', {});
  });
  $('role').addEventListener('change', (ev) => act('/api/user', { role: ev.target.value }));
  $('rotate').addEventListener('click', () => act('/api/event', { kind: 'rotation-succeeded' }));
  $('fail-rotation').addEventListener('click', () => act('/api/event', { kind: 'rotation-failed' }));
  $('close-thread').addEventListener('click', () => {
    ui.thread = undefined;
    render();
  });
  const toggle = $('toggle-inspector');
  const setInspector = (on) => {
    $('app').classList.toggle('with-inspector', on);
    $('inspector').hidden = !on;
    toggle.setAttribute('aria-pressed', String(on));
  };
  setInspector(window.innerWidth >= 1200);
  toggle.addEventListener('click', () => setInspector($('inspector').hidden));
}

wire();
loop();

// for tests and the curious: the renderer, without the page state
window.__whybotSandbox = { mrkdwn, renderBlocks };
