import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboxEntry, InboxQuery, IssueMute, Queued } from './protocol';

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));
const { openUrl } = vi.hoisted(() => ({ openUrl: vi.fn() }));
vi.mock('@tauri-apps/plugin-opener', () => ({ openUrl }));

import Inbox from './Inbox.svelte';

const alert = (id: number, title: string, changes: Partial<InboxEntry> = {}) =>
  ({
    id, kind: 'issue.created', issue_id: String(5000 + id), short_id: `WEB-${id}`, project: 'web', org: 'acme', title,
    decision: 'now', why: ['new issues in web'], actionable: true, received_at: Math.floor(Date.now() / 1000),
    web_url: `https://sentry.io/organizations/acme/issues/${5000 + id}/`, held_back: false, mine: false,
    issue: { status: 'unresolved', assigned_to: null, assignment_known: false, assignee_name: null, events: null, users: null },
    ...changes,
  }) as InboxEntry;

const inbox = [
  alert(1, 'TypeError: mine', { mine: true }),
  alert(2, 'Spike held back', { decision: 'suppress', held_back: true }),
  alert(3, 'Muted noise', { decision: 'suppress' }),
  alert(4, 'ResizeObserver loop', { project: 'api' }),
];
let stored: InboxEntry[] = inbox;
let mutes: IssueMute[] = [];
const NAMES: Record<string, string> = { api: 'Public API' };

/** The engine's side of `inbox`: its filters, search and pages over `stored`. */
function page({ before, limit, filter, search }: InboxQuery) {
  const passes: Record<string, (a: InboxEntry) => boolean> = {
    all: () => true,
    mine: (a) => a.mine,
    notified: (a) => a.decision === 'now',
    held: (a) => a.held_back,
    suppressed: (a) => a.decision === 'suppress' && !a.held_back,
  };
  const words = search?.toLowerCase();
  const found = stored
    .filter((a) => before == null || a.id < before)
    .filter(passes[filter])
    .filter((a) => !words || `${a.short_id} ${a.title} ${a.project} ${NAMES[a.project ?? ''] ?? ''}`.toLowerCase().includes(words));
  return { inbox: { entries: found.slice(0, limit ?? 100), more: found.length > (limit ?? 100) } };
}

const sent = () => invoke.mock.calls.map(([, { request }]) => request);
const acted = () => sent().filter((r) => r.method !== 'inbox' && r.method !== 'mutes');
const pagesAsked = () => sent().filter((r) => r.method === 'inbox').map((r) => r.params.query as InboxQuery);

async function show(actions: Queued[] = []) {
  const shown = render(Inbox, {
    actions, assignees: [], refresh: vi.fn(), fail: vi.fn(),
    projects: [{ org: 'acme', slug: 'api', name: 'Public API' } as never],
  });
  await waitFor(() => expect(document.querySelector('#inbox')?.getAttribute('aria-busy')).toBe('false'));
  return shown;
}

const titles = () => [...document.querySelectorAll('#inbox li .title')].map((t) => t.textContent);

describe('the inbox', () => {
  beforeEach(() => {
    invoke.mockReset();
    stored = inbox;
    mutes = [];
    invoke.mockImplementation(async (_: string, { request }: { request: { method: string; params: Record<string, unknown> } }) => {
      switch (request.method) {
        case 'inbox':
          return page(request.params.query as InboxQuery);
        case 'mutes':
          return { mutes };
        case 'mute_for_me': {
          const muted = { account: '', org: 'acme', issue_id: '5001', project: 'web', label: 'WEB-1', title: 'TypeError: mine',
            until: { until: 'time', at: '2026-12-03T18:00:00Z' }, muted_at: '2026-12-03T17:00:00Z', ended: null } as IssueMute;
          mutes = [muted, { ...muted, issue_id: '5003', label: 'WEB-3', title: 'Muted noise', until: { until: 'next_release' },
            ended: { at: '2026-12-03T17:30:00Z', why: { ended: 'released', version: '1.4.2' } } }];
          return { mute: muted };
        }
        case 'unmute_for_me':
          mutes = mutes.slice(1);
          return { mutes };
        default:
          return { queued: 1 };
      }
    });
    openUrl.mockResolvedValue(undefined);
  });

  it('filters, searches and groups, asking the engine', async () => {
    await show();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Mine' }));
    await waitFor(() => expect(titles()).toEqual(['WEB-1 · TypeError: mine']));
    await user.click(screen.getByRole('button', { name: 'Held back' }));
    await waitFor(() => expect(titles()).toEqual(['WEB-2 · Spike held back']));
    await user.click(screen.getByRole('button', { name: 'Not shown' }));
    await waitFor(() => expect(titles()).toEqual(['WEB-3 · Muted noise']));
    await user.click(screen.getByRole('button', { name: 'All' }));
    await user.type(screen.getByLabelText('Search the inbox'), 'public api');
    await waitFor(() => expect(titles(), 'the project is searched by its name').toEqual(['WEB-4 · ResizeObserver loop']));
    expect(pagesAsked().map((q) => q.filter)).toEqual(['all', 'mine', 'held', 'suppressed', 'all', 'all']);
    expect(pagesAsked()[pagesAsked().length - 1]?.search, 'typing is asked once it pauses').toBe('public api');
    await user.clear(screen.getByLabelText('Search the inbox'));
    await waitFor(() => expect(titles()).toHaveLength(4));
    await user.click(screen.getByLabelText('By project'));
    expect([...document.querySelectorAll('#inbox li.group h3')].map((h) => h.textContent)).toEqual(['Public API', 'web']);
  });

  it('is worked through by keyboard', async () => {
    await show();
    const user = userEvent.setup();
    await user.keyboard('jr');
    await user.keyboard('ji');
    await user.keyboard('ka');
    await user.keyboard('o');
    expect(acted()).toEqual([
      { method: 'act_on_alert', params: { alert: 2, action: 'resolve' } },
      { method: 'act_on_alert', params: { alert: 3, action: 'ignore' } },
      { method: 'act_on_alert', params: { alert: 2, action: 'assign' } },
    ]);
    expect(openUrl).toHaveBeenCalledWith('https://sentry.io/organizations/acme/issues/5002/');
    expect(document.querySelector('#inbox li.selected')?.id).toBe('alert-2');
    await user.keyboard('/');
    expect(document.activeElement?.id).toBe('inbox-search');
    await user.keyboard('r');
    expect(acted(), 'typing in the search does not act').toHaveLength(3);
    await user.keyboard('{Escape}');
    expect((screen.getByLabelText('Search the inbox') as HTMLInputElement).value).toBe('');
  });

  it('mutes an issue for me by key or menu, lists what is muted and what is back, and unmutes', async () => {
    const { rerender } = await show();
    const user = userEvent.setup();
    expect(document.getElementById('mutes-section')!.hidden, 'nothing muted, no section').toBe(true);
    await user.keyboard('m');
    await waitFor(() => expect(screen.getByText(/^Muted for you until .*; Sentry and everyone else unchanged\.$/, { selector: '#alert-1 .outcome' })).toBeTruthy());
    await user.click(screen.getByRole('button', { name: 'Mute for me WEB-4' }));
    await user.click(screen.getByRole('menuitem', { name: 'Mute for me until its next release' }));
    expect(acted()).toEqual([
      { method: 'mute_for_me', params: { alert: 1, until: '1h' } },
      { method: 'mute_for_me', params: { alert: 4, until: 'release' } },
    ]);
    await rerender({ version: 1 });
    await waitFor(() => expect(document.getElementById('mutes-section')!.hidden).toBe(false));
    expect([...document.querySelectorAll('#mutes li .why')].map((w) => w.textContent)).toEqual([
      expect.stringMatching(/^Muted for you until .*; Sentry and everyone else unchanged\.$/),
      'Back: release 1.4.2 is out',
    ]);
    expect(screen.queryByRole('button', { name: 'Unmute WEB-3' }), 'a mute that ended has nothing to lift').toBeNull();
    await user.click(screen.getByRole('button', { name: 'Unmute WEB-1' }));
    expect(acted()[2]).toEqual({ method: 'unmute_for_me', params: { account: '', org: 'acme', issue_id: '5001' } });
    await waitFor(() => expect(document.querySelectorAll('#mutes li')).toHaveLength(1));
  });

  it('puts failed actions first, with Retry', async () => {
    await show([{ id: 9, org: 'acme', issue_id: '5001', kind: 'resolve', argument: null, state: 'failed', error: 'Sentry refused (403)', label: 'WEB-1' } as Queued]);
    const failed = document.getElementById('failed-section')!;
    expect(failed.hidden).toBe(false);
    expect(failed.compareDocumentPosition(document.getElementById('inbox-section')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    expect(acted()).toEqual([{ method: 'retry_action', params: { id: 9 } }]);
    expect(screen.getAllByRole('status')[0].textContent).toBe('Could not resolve: Sentry refused (403)');
  });

  it('keeps at most 150 rows in the page and reads older pages as the selection nears the end', async () => {
    stored = Array.from({ length: 300 }, (_, n) => alert(300 - n, `Error ${300 - n}`));
    const { rerender } = await show();
    const rows = () => document.querySelectorAll('#inbox li.alert-row').length;
    expect(rows()).toBe(100);
    expect(pagesAsked()).toEqual([{ before: null, limit: 100, filter: 'all', search: null }]);
    const user = userEvent.setup();
    await user.keyboard('j'.repeat(80));
    await waitFor(() => expect(pagesAsked()[1]).toEqual({ before: 201, limit: 100, filter: 'all', search: null }));
    await waitFor(() => expect(rows()).toBe(150));
    await user.keyboard('j'.repeat(100));
    await waitFor(() => expect(pagesAsked()).toHaveLength(3));
    expect(rows()).toBeLessThanOrEqual(150);
    expect(document.querySelector('#inbox li.selected')?.id, 'the selection is in the page').toBe('alert-120');
    expect(document.querySelector('#inbox li.spacer'), 'the rows above are space').toBeTruthy();
    // A change the engine reports reads what was loaded again, in place: the selection stays.
    await rerender({ version: 1 });
    await waitFor(() => expect(pagesAsked()).toHaveLength(4));
    expect(pagesAsked()[3]).toEqual({ before: null, limit: 300, filter: 'all', search: null });
    await waitFor(() => expect(document.querySelector('#inbox li.selected')?.id).toBe('alert-120'));
  });

  it('undoes the latest action on a row, by button or by u', async () => {
    const until = Math.floor(Date.now() / 1000) + 30;
    await show([{ id: 12, org: 'acme', issue_id: '5001', kind: 'resolve', argument: null, state: 'done', error: null, undo_until: until } as Queued]);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Undo: Resolved (resolve)' }));
    await user.keyboard('u');
    expect(acted()).toEqual([
      { method: 'undo_action', params: { id: 12 } },
      { method: 'undo_action', params: { id: 12 } },
    ]);
  });
});
