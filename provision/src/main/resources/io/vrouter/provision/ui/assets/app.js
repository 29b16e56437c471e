// The page: sign-in, the grid kept live by the config API's watch, writes with If-Match and the
// 412 path, and the propagation table. State lives here; the other modules only draw or check.
import { Api } from './api.js';
import { Grid } from './grid.js';
import { EntryDialog, ConfirmDialog } from './dialog.js';
import { ConflictDialog } from './conflict.js';
import { renderAgents } from './agents.js';
import { putOp, deleteOp, applyOp, indexOfOp, describeOp } from './entries.js';

const $ = id => document.getElementById(id);
const api = new Api();
const WATCH_HOLD_S = 25;
const AGENTS_EVERY_MS = 2000;
let state = { uuid: null, revision: 0, entries: [] };
let session = null;
let strategy = 'basic';
let watchAbort = null;
let agentsTimer = null;
let paused = false;

const grid = new Grid(document, {
  onEdit: (entry, opener) => openEntry(entry, opener),
  onDelete: (names, opener) => remove(names, opener),
  onSelection: count => {
    const b = $('delete-selected');
    if (b) { b.disabled = count === 0; b.textContent = count ? 'Delete selected (' + count + ')' : 'Delete selected'; }
  },
});
const entryDialog = new EntryDialog(document);
const confirmDialog = new ConfirmDialog(document);
const conflictDialog = new ConflictDialog(document);

function status(text, warn) {
  $('status').textContent = text;
  $('status').classList.toggle('warn', !!warn);
}

const sleep = ms => new Promise(r => setTimeout(r, ms));
const snapshotOf = s => ({ revision: s.revision, entries: s.entries.slice() });

function adopt(snap) {
  state = { uuid: state.uuid, revision: snap.revision, entries: snap.entries };
  grid.render(state.entries, !!(session && session.can_write));
  $('revision').textContent = 'revision ' + state.revision;
}

async function reload() {
  adopt(await api.read(state.uuid));
}

// ---- sign-in ----

function showLogin(message) {
  stopLive();
  api.forget();
  session = null;
  $('services').hidden = true;
  $('propagation').hidden = true;
  $('login').hidden = false;
  $('login-basic').hidden = strategy === 'keystone';
  $('login-keystone').hidden = strategy !== 'keystone';
  $('login-error').textContent = message || '';
  (strategy === 'keystone' ? $('login-token') : $('login-user')).focus();
}

$('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  if (strategy === 'keystone') {
    if (!$('login-token').value.trim()) { $('login-error').textContent = 'Keystone token is required.'; return; }
    api.useToken($('login-token').value.trim());
  } else {
    if (!$('login-user').value.trim()) { $('login-error').textContent = 'User name is required.'; $('login-user').focus(); return; }
    api.useBasic($('login-user').value.trim(), $('login-password').value);
  }
  $('login-submit').disabled = true;
  try {
    await signedIn();
  } catch (e) {
    api.forget();
    $('login-error').textContent = e.status === 401 ? 'User name or password not accepted.' : 'Cannot sign in: ' + e.message;
  } finally {
    $('login-submit').disabled = false;
  }
});

$('sign-out').addEventListener('click', () => { api.forget(); location.reload(); });

async function signedIn() {
  session = await api.session();
  state.uuid = await api.uuid();
  if (!session.can_write) document.querySelectorAll('.edit-control').forEach(n => n.remove());
  $('login').hidden = true;
  $('login-password').value = '';
  $('who').textContent = 'Signed in as ' + session.user + ' (' + session.role + (session.can_write ? '' : ', read-only') + ')';
  $('sign-out').hidden = strategy === 'none';
  await reload();
  $('services').hidden = false;
  $('propagation').hidden = false;
  if (strategy === 'none') status('Authentication is OFF on this config API: anyone who reaches it may change these services.', true);
  else status(session.can_write ? '' : 'Read-only: your role may view but not change link-local services.');
  startLive();
  $('main').focus();
}

// ---- live: the watch and the propagation table ----

function startLive() {
  stopLive();
  watchAbort = new AbortController();
  watchLoop(watchAbort.signal);
  refreshAgents();
  agentsTimer = setInterval(refreshAgents, AGENTS_EVERY_MS);
}

function stopLive() {
  if (watchAbort) watchAbort.abort();
  watchAbort = null;
  if (agentsTimer) clearInterval(agentsTimer);
  agentsTimer = null;
}

async function watchLoop(signal) {
  let delay = 500;
  while (!signal.aborted) {
    try {
      const snap = await api.watch(state.revision, WATCH_HOLD_S, signal);
      delay = 500;
      if (paused) { paused = false; status('Live updates resumed.'); }
      if (snap && snap.revision !== state.revision) {
        const before = state.revision;
        adopt(snap);
        if (snap.revision > before) status('Updated live to revision ' + snap.revision + ' (changed elsewhere).');
        refreshAgents();
      }
    } catch (e) {
      if (signal.aborted || e.name === 'AbortError') return;
      if (e.status === 401) { showLogin('Your credentials are no longer accepted; sign in again.'); return; }
      paused = true;
      status('Live updates paused: ' + e.message + '. Retrying…', true);
      await sleep(delay);
      delay = Math.min(delay * 2, 10000);
    }
  }
}

async function refreshAgents() {
  try {
    renderAgents(document, await api.agents());
  } catch (e) {
    $('propagation-summary').textContent = 'Propagation unknown: ' + e.message;
  }
}

// ---- writes ----

/** original: the name of the entry edited (null: a new one); by default the entry's own name. */
function openEntry(entry, opener, errors, original) {
  const base = snapshotOf(state);
  const originalName = original !== undefined ? original : (entry ? entry.linklocal_service_name : null);
  entryDialog.open({
    entry, editing: originalName != null, opener, errors,
    onSave: edited => commit(putOp(originalName, edited), base, opener),
  });
}

async function remove(names, opener) {
  const base = snapshotOf(state);
  const what = names.length === 1 ? "the link-local service '" + names[0] + "'" : names.length + ' link-local services (' + names.join(', ') + ')';
  if (await confirmDialog.ask('Delete ' + what + '? Compute nodes stop serving it within seconds.', opener)) {
    await commit(deleteOp(names), base, opener);
  }
}

/** The server's field errors for the op's entry, by entry field; the rest as one message. */
function splitErrors(e, base, op) {
  const at = indexOfOp(base.entries, op);
  const prefix = 'linklocal_service_entry[' + at + ']';
  const fields = {};
  const other = [];
  for (const [k, msg] of Object.entries(e.fieldErrors)) {
    if (k.startsWith(prefix + '.')) fields[k.slice(prefix.length + 1)] = msg;
    else if (k === prefix) other.push(msg);
    else other.push(k.replace(/^linklocal_service_entry\[(\d+)\]/, (m, i) => {
      const other = applyOp(base.entries, op)[Number(i)];
      return other ? "entry '" + other.linklocal_service_name + "'" : m;
    }) + ': ' + msg);
  }
  const message = other.length ? other.join(' ') : (Object.keys(fields).length ? 'The config API refused the change.' : e.message);
  return { fields, message };
}

/** Writes op on top of base with If-Match: base's revision; a 412 goes to the conflict dialog. */
async function commit(op, base, opener) {
  try {
    const revision = await api.write(state.uuid, base.revision, applyOp(base.entries, op));
    entryDialog.close();
    grid.selected.clear();
    await reload();
    status('Saved: ' + describeOp(op) + ' (revision ' + revision + ').');
  } catch (e) {
    if (e.status === 412) {
      entryDialog.close();
      await conflict(op, base, opener);
    } else if (e.status === 400 && op.kind === 'put') {
      const errors = splitErrors(e, base, op);
      if (entryDialog.dialog.open) entryDialog.showErrors(errors.fields, errors.message);
      else openEntry(op.entry, opener, errors, op.originalName);
    } else if (e.status === 401) {
      entryDialog.close();
      showLogin('Your credentials are no longer accepted; sign in again. Nothing was written.');
    } else if (op.kind === 'put' && entryDialog.dialog.open) {
      entryDialog.showErrors({}, 'Not saved: ' + e.message);
    } else {
      status('Not saved: ' + e.message, true);
    }
  }
}

async function conflict(op, base, opener) {
  let current;
  try {
    current = await api.read(state.uuid);
  } catch (e) {
    status('Not saved: the config changed meanwhile and cannot be read again: ' + e.message, true);
    return;
  }
  adopt(current);
  const choice = await conflictDialog.ask(base, current, op, opener);
  if (choice === 'reapply') {
    await commit(op, snapshotOf(current), opener);
  } else {
    status('Your change was discarded; the grid shows revision ' + current.revision + '.');
  }
}

const createButton = $('create');
createButton.addEventListener('click', () => openEntry(null, createButton));
$('delete-selected').addEventListener('click', ev => remove(grid.selectedNames(), ev.currentTarget));

(async () => {
  try {
    strategy = (await api.call('GET', 'auth.json')).body.strategy;
  } catch (e) {
    status('The config API cannot be reached: ' + e.message, true);
  }
  if (strategy === 'none') {
    try { await signedIn(); } catch (e) { status('Cannot load: ' + e.message, true); }
  } else {
    showLogin();
  }
})();
