// The window only shows what the engine reports and sends what the user chose.
// Every request goes to the engine through the window process, which reads it as the engine's
// typed request; the reply comes back tagged with its kind ({"inbox": [...]}, or "done").
const invoke = (method, params = {}) =>
  window.__TAURI__.core.invoke('engine', { request: { method, params } })
    .then((reply) => (typeof reply === 'string' ? null : Object.values(reply)[0]));
const $ = (id) => document.getElementById(id);

// What went wrong, under the page; the next good refresh hides it.
function showError(e) {
  $('error').hidden = false;
  $('error').textContent = String(e);
}

function show({ status, autostart }) {
  $('listen').textContent = status.listen;
  $('webhook-url').textContent = status.webhook_url;
  $('database').textContent = status.database;
  $('alerts').textContent = status.alerts;
  $('paused').checked = status.paused;
  $('autostart').checked = autostart;

  const secret = $('secret');
  secret.className = status.webhook_secret ? '' : 'missing';
  secret.textContent = status.webhook_secret
    ? `set (from the ${status.webhook_secret === 'keyring' ? 'keyring' : 'environment'})`
    : status.webhook_secret_error || 'not set: run sentry-tray-cli webhook-secret set';
  $('webhook-note').hidden = !status.webhook_note;
  $('webhook-note').textContent = status.webhook_note || '';
  $('environment-note').hidden = !status.environment_note;
  $('environment-note').textContent = status.environment_note || '';

  const account = $('account');
  if (status.account) {
    account.className = '';
    account.textContent = `${status.account.url} (token from the environment)`;
    $('org').textContent = status.account.org || 'not set';
  } else {
    const added = status.accounts.length > 0;
    account.className = added ? '' : 'missing';
    account.textContent = added ? 'added below' : 'none yet: add one below, or set SENTRY_AUTH_TOKEN and SENTRY_ORG';
    $('org').textContent = '–';
  }

  const polling = $('polling');
  polling.textContent = status.accounts.length
    ? status.accounts.map((a) => `${a.org}: ${a.polling_text}`).join(' · ')
    : status.accounts_error || 'no account to poll';
  polling.className = status.accounts.some((a) => a.trouble) || status.accounts_error ? 'missing' : '';
  $('servers').textContent = status.accounts.map((a) => `${a.org}: ${a.server_text}`).join(' · ') || '–';

  // Polling alone is enough to hear from Sentry; the webhook secret is for the receiver.
  const accounts = $('accounts');
  accounts.replaceChildren();
  for (const a of status.accounts.filter((a) => a.id !== null)) {
    const item = document.createElement('li');
    item.id = `account-${a.org}`;
    const title = document.createElement('span');
    title.textContent = `${a.org} · ${a.url}`;
    const remove = document.createElement('button');
    remove.className = 'remove';
    remove.textContent = 'Remove';
    remove.addEventListener('click', async () => {
      try {
        await invoke('remove_account', { org: a.org });
        refresh();
      } catch (e) {
        showError(e);
      }
    });
    item.append(title, ' ', remove);
    accounts.append(item);
  }

  const ready = status.account || status.accounts.length;
  const trouble = status.accounts.some((a) => a.trouble);
  const state = $('state');
  state.textContent = status.paused ? 'paused' : !ready ? 'needs setup' : trouble ? 'account trouble' : 'ready';
  state.className = 'pill ' + (status.paused || !ready || trouble ? 'warn' : 'ok');
}

const VERDICT = { now: 'notified', digest: 'digest', suppress: 'not shown' };

function showInbox(alerts) {
  const list = $('inbox');
  if (list.contains(document.activeElement)) return;
  list.replaceChildren();
  if (!alerts.length) {
    const empty = document.createElement('li');
    empty.className = 'hint';
    empty.textContent = 'No alerts yet.';
    list.append(empty);
  }
  for (const a of alerts) {
    const item = document.createElement('li');
    const decision = document.createElement('span');
    decision.className = 'pill decision';
    decision.textContent = VERDICT[a.decision] || 'pending';
    const title = document.createElement('div');
    title.className = 'title';
    title.textContent = `${a.short_id || a.issue_id} · ${a.title}`;
    const why = document.createElement('div');
    why.className = 'why';
    why.textContent = [a.project, a.kind, a.why[a.why.length - 1]].filter(Boolean).join(' · ');
    item.append(decision, title, why);
    if (a.actionable) item.append(actionsFor(a));
    item.id = `alert-${a.id}`;
    list.append(item);
  }
}

// Teammates and teams from Sentry, offered as "Assign to …" choices.
let ASSIGNEES = [];

async function loadAssignees() {
  try {
    ASSIGNEES = await invoke('assignees');
  } catch (e) {
    ASSIGNEES = [];
  }
}

// Choices sent as the engine's action words; the engine validates and queues them.
const CHOICES = [
  ['', 'Act on this issue…'],
  ['resolve', 'Resolve'],
  ['ignore', 'Ignore until it escalates'],
  ['ignore=30', 'Ignore for 30 minutes'],
  ['ignore=1440', 'Ignore for 24 hours'],
  ['ignore=forever', 'Ignore forever'],
  ['assign', 'Assign to me'],
];

function actionsFor(alert) {
  const row = document.createElement('div');
  row.className = 'act';
  const choice = document.createElement('select');
  choice.className = 'choice';
  const choices = CHOICES.concat(ASSIGNEES.map(({ assignee, label }) => [`assign=${assignee}`, `Assign to ${label}`]));
  for (const [value, label] of choices) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    choice.append(option);
  }
  const who = document.createElement('input');
  who.className = 'assignee';
  who.placeholder = 'or assign to: e-mail, user:ID, team:SLUG';
  const go = document.createElement('button');
  go.className = 'go';
  go.textContent = 'Send';
  go.addEventListener('click', async () => {
    const action = who.value.trim() ? `assign=${who.value.trim()}` : choice.value;
    if (!action) return;
    try {
      await invoke('act_on_alert', { alert: alert.id, action });
      who.value = '';
      choice.value = '';
      go.blur();
      refresh();
    } catch (e) {
      showError(e);
    }
  });
  row.append(choice, who, go);
  return row;
}

const STATE = { done: 'done', pending: 'queued', failed: 'failed' };
const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'];
const AUDIENCES = [['everything', 'everything'], ['assigned', 'assigned to me/my teams'], ['owned', 'owned by me/my teams'], ['owned_or_assigned', 'owned or assigned']];

async function setPreference(project, key, value) {
  try {
    await invoke('set_preference', { project: project.slug, org: project.org, key, value });
  } catch (e) {
    showError(e);
  }
}

function select(options, current, onChange) {
  const s = document.createElement('select');
  for (const [value, label] of options) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    s.append(o);
  }
  s.value = current;
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

function showProjects(projects) {
  const body = $('projects').tBodies[0];
  if (body.contains(document.activeElement)) return;
  body.replaceChildren();
  for (const p of projects) {
    const row = body.insertRow();
    row.id = `project-${p.slug}`;
    const on = document.createElement('input');
    on.type = 'checkbox';
    on.className = 'enabled';
    on.checked = p.preferences.enabled;
    on.addEventListener('change', () => setPreference(p, 'enabled', on.checked ? 'on' : 'off'));
    row.insertCell().append(on);
    row.insertCell().textContent = p.name || p.slug;
    row.insertCell().append(select(LEVELS.map((l) => [l, `from ${l}`]), p.preferences.min_level, (v) => setPreference(p, 'min_level', v)));
    row.insertCell().append(select(AUDIENCES, p.preferences.audience, (v) => setPreference(p, 'audience', v)));
  }
}

async function refreshProjects() {
  try {
    const projects = await invoke('projects');
    if (projects.length) showProjects(projects);
  } catch (e) {
    showError(e);
  }
}

let pendingCheck = null;

function showActions(actions) {
  $('actions-section').hidden = !actions.length;
  // While an action is on its way, look again shortly (only while the window is open).
  clearTimeout(pendingCheck);
  if (actions.some((a) => a.state === 'pending')) pendingCheck = setTimeout(refresh, 1000);
  const list = $('actions');
  list.replaceChildren();
  for (const a of actions) {
    const item = document.createElement('li');
    item.id = `action-${a.id}`;
    const state = document.createElement('span');
    state.className = 'pill decision';
    state.textContent = STATE[a.state] || a.state;
    const title = document.createElement('div');
    title.className = 'title';
    title.textContent = `${a.kind}${a.argument ? ' ' + a.argument : ''} · ${a.label || a.issue_id}`;
    item.append(state, title);
    if (a.error && a.state !== 'done') {
      const why = document.createElement('div');
      why.className = 'why';
      why.textContent = a.error;
      item.append(why);
    }
    if (a.state === 'failed') {
      const retry = document.createElement('button');
      retry.className = 'retry';
      retry.textContent = 'Retry';
      retry.addEventListener('click', async () => {
        try {
          await invoke('retry_action', { id: a.id });
          refresh();
        } catch (e) {
          showError(e);
        }
      });
      item.append(retry);
    }
    list.append(item);
  }
}

async function refresh() {
  try {
    show(await invoke('status'));
    showInbox(await invoke('inbox'));
    showActions(await invoke('actions'));
    $('error').hidden = true;
  } catch (e) {
    showError(e);
  }
}

$('paused').addEventListener('change', async (event) => {
  try {
    show(await invoke('set_paused', { paused: event.target.checked }));
  } catch (e) {
    showError(e);
  }
});

$('autostart').addEventListener('change', async (event) => {
  try {
    event.target.checked = await invoke('set_autostart', { enabled: event.target.checked });
  } catch (e) {
    showError(e);
  }
});

$('add-account').addEventListener('submit', async (event) => {
  event.preventDefault();
  const message = $('account-message');
  message.hidden = false;
  message.className = 'hint';
  message.textContent = 'Checking the token with Sentry…';
  try {
    const added = await invoke('add_account', {
      url: $('account-url').value.trim(),
      org: $('account-org').value.trim(),
      token: $('account-token').value.trim(),
    });
    $('account-token').value = '';
    message.textContent = `Added ${added.org} (${added.org_name || added.org}) as ${added.email || added.username}.`;
    refresh();
    refreshProjects();
  } catch (e) {
    message.className = 'hint missing';
    message.textContent = String(e);
  }
});

// The part the user asked for: the inbox or the settings.
function showView(view) {
  document.body.dataset.view = view === 'settings' ? 'settings' : 'inbox';
  window.scrollTo(0, 0);
}
for (const tab of document.querySelectorAll('.tabs button')) {
  tab.addEventListener('click', () => showView(tab.dataset.view));
}

window.__TAURI__.event.listen('status-changed', refresh);
window.__TAURI__.event.listen('show', (event) => showView(event.payload));
window.__TAURI__.core.invoke('initial_view').then(showView);
refresh();
refreshProjects();
loadAssignees().then(refresh);
