// The ztchat window. It only draws: keys, history and the outbox live in the ztchat process that
// served this page. Every text that came from the network is put into the page with textContent
// (never parsed as HTML), with control and direction-changing characters shown as escapes.

const $ = (id) => document.getElementById(id);

const state = {
  me: '',
  peer: null,
  maxBytes: 0,
  skew: 0,
  connection: null,
  socket: null,
  contact: new Map(),
  group: null,
};

const encoder = new TextEncoder();

// How long a notice that is not an error stays on screen.
const NOTICE_SECONDS = 20;

// Control characters, and those that reorder or hide text (bidi overrides and isolates, zero-width
// marks), as visible escapes; newlines and tabs stay.
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

function visible(text) {
  return String(text).replace(HIDDEN, (c) => {
    const code = c.codePointAt(0);
    if (code === 0x1b) return '\\e';
    const hex = code.toString(16).padStart(code < 0x100 ? 2 : 4, '0');
    return code < 0x100 ? '\\x' + hex : '\\u' + hex;
  });
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = visible(text);
  return e;
}

function time(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' +
        d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

// ---- the connection to this window's ztchat process

function connect() {
  const socket = new WebSocket('ws://' + location.host + '/ws');
  state.socket = socket;
  socket.addEventListener('open', () => {
    if (state.peer) send({ t: 'open', peer: state.peer });
  });
  socket.addEventListener('message', (e) => {
    let event;
    try {
      event = JSON.parse(e.data);
    } catch {
      return;
    }
    const handler = HANDLERS[event.t];
    if (handler) handler(event);
  });
  socket.addEventListener('close', () => {
    showConnection({ state: 'local', reason: 'this window lost its ztchat process (stopped?); retrying' });
    setTimeout(connect, 2000);
  });
}

function send(command) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(command));
    return true;
  }
  return false;
}

const HANDLERS = {
  hello(e) {
    state.me = e.me;
    $('me').textContent = visible(e.me);
    document.title = 'ztchat: ' + visible(e.me);
  },
  connection(e) {
    state.skew = e.now - Date.now();
    state.connection = e;
    showConnection(e);
  },
  conversations(e) {
    drawConversations(e.items);
  },
  history(e) {
    if (e.peer !== state.peer) return;
    state.maxBytes = e.maxBytes;
    state.group = e.group || null;
    drawGroup(e.peer, state.group);
    drawMessages(e.items, Boolean(state.group));
    updateCount();
  },
  opened(e) {
    openConversation(e.peer);
  },
  contact(e) {
    state.contact.set(e.peer, e);
    if (e.peer === state.peer) drawContact(e);
  },
  notice(e) {
    notice(e.text, 'notice');
  },
  error(e) {
    notice(e.text, 'error');
  },
};

// ---- connection state

let countdown = null;

function showConnection(e) {
  const conn = $('conn');
  clearInterval(countdown);
  conn.dataset.state = e.state;
  const reason = e.reason ? ' (' + e.reason + ')' : '';
  // the relay this is about, when known: rendered as its own text between two parts of the line
  const relay = e.relay || '';
  const draw = () => {
    let before;
    let after = '';
    switch (e.state) {
      case 'online':
        before = relay ? 'online, connected to ' : 'online';
        break;
      case 'connecting':
        before = relay ? 'connecting to ' : 'connecting';
        after = '…';
        break;
      case 'reconnecting': {
        const left = Math.max(0, Math.ceil((e.retryAt - (Date.now() + state.skew)) / 1000));
        before = 'offline' + reason + ': reconnecting in ' + left + ' s' + (relay ? ' with ' : '');
        after = '; messages are kept';
        break;
      }
      case 'refused':
        before = relay ? 'refused by the server ' : 'refused by the server';
        after = reason + ': not retrying; your keys must be renewed';
        break;
      default: before = e.reason || e.state;
    }
    const parts = [document.createTextNode(visible(before))];
    if (relay && e.state !== 'local') parts.push(el('span', 'relay', relay));
    parts.push(document.createTextNode(visible(after)));
    conn.replaceChildren(...parts);
  };
  draw();
  if (e.state === 'reconnecting') countdown = setInterval(draw, 1000);
}

// ---- the conversation list

function drawConversations(items) {
  const list = $('conversations');
  const focused = document.activeElement && document.activeElement.dataset.peer;
  list.replaceChildren();
  for (const c of items) {
    const li = el('li');
    const b = el('button', c.group ? 'conversation conversation-group' : 'conversation');
    b.type = 'button';
    b.dataset.peer = c.peer;
    if (c.peer === state.peer) b.setAttribute('aria-current', 'true');
    const top = el('span', 'conv-top');
    top.append(el('span', 'conv-name', c.peer));
    if (c.mark) {
      const m = el('span', 'mark mark-' + c.mark, markWord(c.mark));
      top.append(m);
    }
    top.append(el('span', 'conv-time', time(c.at)));
    const bottom = el('span', 'conv-bottom');
    bottom.append(el('span', 'preview', c.preview || 'No messages yet'));
    if (c.unread > 0) {
      const u = el('span', 'unread', String(c.unread));
      u.setAttribute('aria-label', c.unread + ' unread');
      bottom.append(u);
    }
    b.append(top, bottom);
    b.addEventListener('click', () => openConversation(c.peer));
    li.append(b);
    list.append(li);
    if (focused === c.peer) b.focus();
  }
  $('no-conversations').hidden = items.length > 0;
}

function markWord(mark) {
  switch (mark) {
    case 'revoked': return 'revoked';
    case 'renewed': return 'keys renewed';
    case 'changed': return 'keys changed';
    case 'device': return 'new device';
    case 'left': return 'not a member';
    default: return mark;
  }
}

function openConversation(peer) {
  peer = peer.trim();
  if (!peer) return;
  state.peer = peer;
  state.maxBytes = 0;
  $('chat-empty').hidden = true;
  $('chat-open').hidden = false;
  $('peer-name').textContent = visible(peer);
  $('messages').replaceChildren();
  $('keychange').hidden = true;
  $('contact').hidden = true;
  $('info-toggle').setAttribute('aria-expanded', 'false');
  $('peer-mark').hidden = true;
  $('group').hidden = true;
  state.group = null;
  const group = isGroup(peer);
  $('info-toggle').textContent = group ? 'Members' : 'Safety number';
  $('info-toggle').setAttribute('aria-controls', group ? 'group' : 'contact');
  $('text').disabled = false;
  document.body.classList.add('in-chat');
  for (const b of document.querySelectorAll('.conversation')) {
    if (b.dataset.peer === peer) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
  send({ t: 'open', peer });
  $('text').focus();
}

function isGroup(peer) {
  return peer.startsWith('#');
}

// ---- messages

function drawMessages(items, group) {
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  for (const m of items) {
    if (m.state === 'system') {
      const line = el('li', 'msg-system');
      line.dataset.state = m.state;
      line.append(el('span', 'msg-text', m.text), el('time', 'msg-time', time(m.at)));
      list.append(line);
      continue;
    }
    const li = el('li', 'msg ' + (m.dir === 'in' ? 'msg-in' : 'msg-out') + ' msg-' + m.state);
    li.dataset.state = m.state;
    if (m.id) li.dataset.id = m.id;
    if (group && m.dir === 'in' && m.from) li.append(el('div', 'msg-from', m.from));
    if (m.text) li.append(el('div', 'msg-text', m.text));
    const meta = el('div', 'msg-meta');
    meta.append(el('time', 'msg-time', time(m.at)));
    if (m.dir !== 'in') {
      const s = el('span', 'msg-state', group && m.state === 'received' ? '✓✓ ' + m.label : stateWord(m));
      s.title = visible(m.label);
      meta.append(s);
    }
    li.append(meta);
    list.append(li);
  }
  if (atBottom || items.length) list.scrollTop = list.scrollHeight;
}

function stateWord(m) {
  switch (m.state) {
    case 'sending': return '… sending';
    case 'kept': return '○ kept offline';
    case 'stored': return '✓ stored at the relay';
    case 'sent': return '✓ sent';
    case 'received': return '✓✓ received';
    case 'blocked': return '⚠ waiting for your decision on new keys';
    case 'renewal': return '○ waiting for their renewed keys';
    case 'failed': return '✗ ' + m.label;
    case 'partial': return '⚠ ' + m.label;
    default: return m.label;
  }
}

// ---- a group: its members, adding, removing, leaving

function drawGroup(peer, g) {
  const panel = $('group');
  if (!g) {
    panel.hidden = true;
    return;
  }
  $('group-status').textContent = visible(g.removed
    ? 'You are no longer a member of ' + peer + ': nothing is sent to it and nothing of it reaches you.'
    : peer + ': ' + g.members.length + ' members' + (g.admin ? '; you are an admin.' : '.'));
  const list = $('group-members-list');
  list.replaceChildren();
  for (const m of g.members) {
    const li = el('li', 'member');
    li.dataset.member = m.name;
    li.append(el('span', 'member-name', m.name + (m.me ? ' (you)' : '')));
    if (m.admin) li.append(el('span', 'mark mark-admin', 'admin'));
    if (!m.me && !g.removed) {
      const remove = el('button', 'member-remove', 'Remove');
      remove.type = 'button';
      remove.setAttribute('aria-label', 'Remove ' + visible(m.name) + ' from the group');
      remove.addEventListener('click', () => send({ t: 'group-remove', peer, member: m.name }));
      li.append(remove);
    }
    list.append(li);
  }
  $('group-add').hidden = g.removed;
  $('group-leave').hidden = g.removed;
  $('text').disabled = g.removed;
  $('text').placeholder = g.removed
    ? 'You are no longer a member of this group'
    : 'Message (Enter sends, Shift+Enter: new line)';
  $('send').disabled = g.removed;
}

// ---- the contact: safety number, fingerprints, key change

function drawContact(c) {
  const mark = $('peer-mark');
  const marked = ['revoked', 'renewed', 'changed'].includes(c.status);
  const markCode = c.status === 'changed' && c.kind === 'device' ? 'device' : c.status;
  mark.hidden = !marked;
  mark.className = 'mark mark-' + markCode;
  mark.textContent = marked ? markWord(markCode) : '';
  $('contact-status').textContent = visible(contactWords(c));
  $('contact-status').dataset.status = c.status;
  $('safety-number').textContent = visible(c.safetyNumber || '(not available)');
  $('fp-signing').textContent = visible(c.signing || '');
  $('fp-encryption').textContent = visible(c.encryption || '');
  $('contact-detail').textContent = visible(c.detail || '');
  const kc = $('keychange');
  kc.hidden = c.status !== 'changed';
  if (c.status === 'changed') {
    const device = c.kind === 'device';
    kc.querySelector('.keychange-title').textContent = visible(device
      ? 'Warning: ' + c.peer + ' has a new device' +
          (c.deviceName ? ' named "' + c.deviceName + '"' : '') + '.'
      : 'Warning: the keys of ' + c.peer + ' have changed.');
    $('kc-pinned-label').textContent = device ? 'Known devices' : 'Pinned';
    $('kc-new-label').textContent = device ? 'New device' : 'Now';
    $('kc-pinned').textContent = visible(c.pinned);
    $('kc-new').textContent = visible(c.new);
    $('kc-advice').textContent = device
      ? 'Your messages go to the devices you know; nothing goes to the new one. Compare its' +
        ' fingerprint with ' + visible(c.peer) + ' in person or by phone; only then accept: it then' +
        ' gets what you sent it meanwhile.'
      : 'Nothing was sent to the new keys. Compare the new fingerprint with them in person or by' +
        ' phone; only then accept. Your messages wait until you do.';
    $('accept').textContent = device
      ? 'I compared it: accept the new device'
      : 'I compared them: accept the new keys';
  }
  drawDevices(c.devices || []);
}

function drawDevices(devices) {
  const list = $('contact-devices');
  list.replaceChildren();
  for (const d of devices) {
    const li = el('li', 'device device-' + d.state);
    li.dataset.state = d.state;
    li.append(el('span', 'device-name', d.name || '(name not known yet)'));
    li.append(el('span', 'fp', d.fingerprint));
    li.append(el('span', 'device-state', deviceWord(d.state)));
    list.append(li);
  }
  if (!devices.length) list.append(el('li', 'small', 'none known yet (learnt with the first message)'));
}

function deviceWord(state) {
  switch (state) {
    case 'accepted': return 'gets your messages';
    case 'new': return 'NEW: gets nothing until you accept it';
    case 'revoked': return 'REVOKED by your CA: gets nothing';
    default: return 'not accepted: gets nothing';
  }
}

function contactWords(c) {
  switch (c.status) {
    case 'verified': return c.peer + ': certificates verified against your CA, keys match the ones pinned on this device.';
    case 'pinned': return c.peer + ': the keys pinned on this device.';
    case 'changed':
      return c.kind === 'device'
        ? c.peer + ': a NEW DEVICE since you last talked.'
        : c.peer + ': KEYS CHANGED since you last talked.';
    case 'revoked': return c.peer + ': certificate REVOKED by your CA: messages to them are not sent.';
    case 'renewed': return c.peer + ': keys renewed by your CA; messages wait for the new keys.';
    case 'untrusted': return c.peer + ': cannot be verified.';
    default: return c.peer + ': keys not known yet.';
  }
}

// ---- the composer

function bytesOf(text) {
  return encoder.encode(text).length;
}

function updateCount() {
  const text = $('text').value;
  const used = bytesOf(text);
  const max = state.maxBytes;
  const count = $('count');
  if (!max) {
    count.textContent = '';
    $('send').disabled = Boolean(state.group && state.group.removed);
    return;
  }
  const over = used > max;
  count.dataset.level = over ? 'over' : used > max * 0.8 ? 'near' : 'ok';
  count.textContent = over
    ? 'Too long by ' + (used - max) + ' bytes (at most ' + max + '): split it'
    : used > max * 0.8
      ? (max - used) + ' bytes left'
      : used + ' / ' + max + ' bytes';
  $('send').disabled = over || Boolean(state.group && state.group.removed);
}

function submitMessage() {
  const box = $('text');
  const text = box.value;
  if (!state.peer || !text.trim()) return;
  if (state.maxBytes && bytesOf(text) > state.maxBytes) {
    updateCount();
    return;
  }
  if (send({ t: 'send', peer: state.peer, text })) {
    box.value = '';
    updateCount();
  } else {
    notice('This window is not connected to its ztchat process; your text was not sent and stays in the box.', 'error');
  }
}

// ---- notices

function notice(text, kind) {
  const box = $('notices');
  const n = el('div', 'notice notice-' + kind, text);
  n.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  const close = el('button', 'notice-close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => n.remove());
  n.append(close);
  box.append(n);
  while (box.children.length > 5) box.firstElementChild.remove();
  // Information fades after a while; errors stay until dismissed.
  if (kind !== 'error') setTimeout(() => n.remove(), NOTICE_SECONDS * 1000);
}

// ---- wiring

function wire() {
  $('new-chat').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('new-peer');
    const peer = input.value.trim().toLowerCase();
    if (peer) {
      input.value = '';
      openConversation(peer);
    }
  });
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    submitMessage();
  });
  $('text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submitMessage();
    }
  });
  $('text').addEventListener('input', updateCount);
  $('accept').addEventListener('click', () => {
    if (state.peer) send({ t: 'accept', peer: state.peer });
  });
  $('info-toggle').addEventListener('click', () => {
    if (!state.peer) return;
    const group = isGroup(state.peer);
    const box = group ? $('group') : $('contact');
    box.hidden = !box.hidden;
    $('info-toggle').setAttribute('aria-expanded', String(!box.hidden));
    if (!box.hidden && !group) send({ t: 'contact', peer: state.peer });
  });
  $('new-group').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('group-name').value.trim();
    const members = $('group-members').value.trim();
    if (!name) return;
    if (send({ t: 'group-create', name, members })) {
      $('group-name').value = '';
      $('group-members').value = '';
    }
  });
  $('group-add').addEventListener('submit', (e) => {
    e.preventDefault();
    const member = $('group-add-name').value.trim().toLowerCase();
    if (state.peer && member && send({ t: 'group-add', peer: state.peer, member })) {
      $('group-add-name').value = '';
    }
  });
  $('group-leave').addEventListener('click', () => {
    if (state.peer && isGroup(state.peer)) send({ t: 'group-leave', peer: state.peer });
  });
  $('back').addEventListener('click', () => {
    document.body.classList.remove('in-chat');
    const b = document.querySelector('.conversation[aria-current="true"]');
    if (b) b.focus();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') document.body.classList.remove('in-chat');
  });
}

wire();
connect();
