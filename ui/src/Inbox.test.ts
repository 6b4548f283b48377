import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboxEntry, Queued } from './protocol';

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));
const { openUrl } = vi.hoisted(() => ({ openUrl: vi.fn() }));
vi.mock('@tauri-apps/plugin-opener', () => ({ openUrl }));

import Inbox from './Inbox.svelte';

const alert = (id: number, title: string, changes: Partial<InboxEntry> = {}) =>
  ({
    id, kind: 'issue.created', issue_id: String(5000 + id), short_id: `WEB-${id}`, project: 'web', org: 'acme', title,
    decision: 'now', why: ['new issues in web'], actionable: true, received_at: Math.floor(Date.now() / 1000),
    web_url: `https://sentry.io/organizations/acme/issues/${5000 + id}/`, held_back: false, mine: false, ...changes,
  }) as InboxEntry;

const inbox = [
  alert(1, 'TypeError: mine', { mine: true }),
  alert(2, 'Spike held back', { decision: 'suppress', held_back: true }),
  alert(3, 'Muted noise', { decision: 'suppress' }),
  alert(4, 'ResizeObserver loop', { project: 'api' }),
];

const sent = () => invoke.mock.calls.map(([, { request }]) => request);

function show(actions: Queued[] = []) {
  render(Inbox, {
    inbox, actions, assignees: [], refresh: vi.fn(), fail: vi.fn(),
    projects: [{ org: 'acme', slug: 'api', name: 'Public API' } as never],
  });
}

const titles = () => [...document.querySelectorAll('#inbox li .title')].map((t) => t.textContent);

describe('the inbox', () => {
  beforeEach(() => {
    invoke.mockReset();
    invoke.mockResolvedValue({ queued: 1 });
    openUrl.mockResolvedValue(undefined);
  });

  it('filters, searches and groups', async () => {
    show();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Mine' }));
    expect(titles()).toEqual(['WEB-1 · TypeError: mine']);
    await user.click(screen.getByRole('button', { name: 'Held back' }));
    expect(titles()).toEqual(['WEB-2 · Spike held back']);
    await user.click(screen.getByRole('button', { name: 'Not shown' }));
    expect(titles()).toEqual(['WEB-3 · Muted noise']);
    await user.click(screen.getByRole('button', { name: 'All' }));
    await user.type(screen.getByLabelText('Search the inbox'), 'public api');
    expect(titles(), 'the project is searched by its name').toEqual(['WEB-4 · ResizeObserver loop']);
    await user.clear(screen.getByLabelText('Search the inbox'));
    await user.click(screen.getByLabelText('By project'));
    expect([...document.querySelectorAll('#inbox li.group h3')].map((h) => h.textContent)).toEqual(['Public API', 'web']);
  });

  it('is worked through by keyboard', async () => {
    show();
    const user = userEvent.setup();
    await user.keyboard('jr');
    await user.keyboard('ji');
    await user.keyboard('ka');
    await user.keyboard('o');
    expect(sent()).toEqual([
      { method: 'act_on_alert', params: { alert: 2, action: 'resolve' } },
      { method: 'act_on_alert', params: { alert: 3, action: 'ignore' } },
      { method: 'act_on_alert', params: { alert: 2, action: 'assign' } },
    ]);
    expect(openUrl).toHaveBeenCalledWith('https://sentry.io/organizations/acme/issues/5002/');
    expect(document.querySelector('#inbox li.selected')?.id).toBe('alert-2');
    await user.keyboard('/');
    expect(document.activeElement?.id).toBe('inbox-search');
    await user.keyboard('r');
    expect(sent(), 'typing in the search does not act').toHaveLength(3);
    await user.keyboard('{Escape}');
    expect((screen.getByLabelText('Search the inbox') as HTMLInputElement).value).toBe('');
  });

  it('puts failed actions first, with Retry', async () => {
    show([{ id: 9, org: 'acme', issue_id: '5001', kind: 'resolve', argument: null, state: 'failed', error: 'Sentry refused (403)', label: 'WEB-1' } as Queued]);
    const failed = document.getElementById('failed-section')!;
    expect(failed.hidden).toBe(false);
    expect(failed.compareDocumentPosition(document.getElementById('inbox-section')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    expect(sent()).toEqual([{ method: 'retry_action', params: { id: 9 } }]);
    expect(screen.getAllByRole('status')[0].textContent).toBe('Could not resolve: Sentry refused (403)');
  });
});
