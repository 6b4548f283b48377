import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboxEntry } from './protocol';

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import InboxRow from './InboxRow.svelte';

function entry(changes: Partial<InboxEntry> = {}): InboxEntry {
  return {
    id: 7,
    kind: 'IssueCreated',
    issue_id: '5150',
    short_id: 'WEB-9',
    project: 'web',
    title: 'TypeError: total is undefined',
    decision: 'now',
    why: ['you follow everything in web'],
    actionable: true,
    issue: { status: 'unresolved', assigned_to: null, assignment_known: false, assignee_name: null, events: null, users: null },
    ...changes,
  } as InboxEntry;
}

const sent = () => invoke.mock.calls.map(([, { request }]) => request);

describe('an inbox row', () => {
  beforeEach(() => {
    invoke.mockReset();
    invoke.mockResolvedValue({ queued: 1 });
  });

  it('acts in one click or one pick, and shows the outcome on the row', async () => {
    const act = vi.fn().mockResolvedValue(undefined);
    const { rerender } = render(InboxRow, { alert: entry(), assignees: [{ assignee: 'team:payments', label: '#payments' }], refresh: vi.fn(), fail: vi.fn(), act, undo: vi.fn(), mute: vi.fn() });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Resolve WEB-9' }));
    expect(screen.queryByRole('menu'), 'no menu is built until asked for').toBeNull();
    await user.click(screen.getByRole('button', { name: 'Ignore WEB-9' }));
    expect(screen.getAllByRole('menuitem').map((m) => m.textContent)).toEqual([
      'Ignore until it escalates', 'Ignore for 30 minutes', 'Ignore for 24 hours', 'Ignore forever',
    ]);
    await user.click(screen.getByRole('menuitem', { name: 'Ignore for 30 minutes' }));
    expect(screen.queryByRole('menu'), 'a pick closes the menu').toBeNull();
    // By keyboard: Down opens the menu on its first choice, Down again, Enter picks.
    screen.getByRole('button', { name: 'Assign WEB-9' }).focus();
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(act.mock.calls.map(([, action]) => action)).toEqual(['resolve', 'ignore=30', 'assign=team:payments']);
    expect(document.activeElement, 'the focus is back on the menu button').toBe(screen.getByRole('button', { name: 'Assign WEB-9' }));
    await user.click(screen.getByRole('button', { name: 'Assign WEB-9' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu'), 'Esc closes the menu').toBeNull();
    expect(act).toHaveBeenCalledTimes(3);
    await rerender({ outcome: { id: 3, org: 'acme', issue_id: '5150', kind: 'resolve', argument: null, state: 'done', error: null } as never });
    expect(screen.getByRole('status').textContent).toBe('Resolved (resolve)');
    await rerender({ outcome: { id: 4, org: 'acme', issue_id: '5150', kind: 'ignore', argument: '30', state: 'failed', error: 'Sentry refused (403)' } as never });
    expect(screen.getByRole('status').textContent).toBe('Could not ignore 30: Sentry refused (403)');
  });

  it('assigns to whoever is typed', async () => {
    const act = vi.fn().mockResolvedValue(undefined);
    render(InboxRow, { alert: entry(), assignees: [], refresh: vi.fn(), fail: vi.fn(), act, undo: vi.fn(), mute: vi.fn() });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Assign WEB-9' }));
    await user.click(screen.getByRole('menuitem', { name: 'Assign to someone else…' }));
    await user.type(screen.getByLabelText('Assign to'), 'sam@example.com');
    await user.click(screen.getByRole('button', { name: 'Assign' }));
    expect(act).toHaveBeenCalledWith(expect.objectContaining({ id: 7 }), 'assign=sam@example.com');
  });

  it('says when it came, live, and names the project by its name', async () => {
    const received = Math.floor(Date.now() / 1000) - 120;
    const { rerender } = render(InboxRow, { alert: entry({ received_at: received, level: 'error' }), assignees: [], refresh: vi.fn(), fail: vi.fn(), act: vi.fn(), undo: vi.fn(), mute: vi.fn(), project: 'Web shop', now: Date.now() });
    expect(screen.getByText('2 min ago')).toBeTruthy();
    expect(screen.getByText('Web shop')).toBeTruthy();
    expect(screen.getByText('error')).toBeTruthy();
    await rerender({ now: Date.now() + 3 * 3600_000 });
    expect(screen.getByText('3 h ago')).toBeTruthy();
  });

  it("shows a title from Sentry as text, never as markup, and offers no action where there is no issue", () => {
    const { container } = render(InboxRow, {
      alert: entry({ title: '<img src=x onerror="window.pwned=1">Click', actionable: false }),
      assignees: [],
      refresh: vi.fn(),
      fail: vi.fn(),
      act: vi.fn(),
      undo: vi.fn(),
      mute: vi.fn(),
    });
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="window.pwned=1">Click');
    expect(screen.queryByRole('button', { name: /Resolve/ })).toBeNull();
  });

  it('says why it was kept back, which preference decided, and fixes it in one click', async () => {
    invoke.mockResolvedValue({ project_preferences: {} });
    const refresh = vi.fn();
    render(InboxRow, {
      alert: entry({
        decision: 'suppress',
        org: 'acme',
        why: ['you follow everything in web', 'environment staging is not watched (production)'],
        decided_by: 'environments',
        fix: { label: 'Notify me for staging too', key: 'environments', value: 'production,staging' },
      }),
      assignees: [],
      refresh,
      fail: vi.fn(),
      act: vi.fn(),
      undo: vi.fn(),
      mute: vi.fn(),
    });
    const user = userEvent.setup();
    await user.click(screen.getByText('Why'));
    expect(screen.getByText('environment staging is not watched (production)')).toBeTruthy();
    expect(screen.getByText('Decided by the preference “Environments”.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Notify me for staging too' }));
    expect(sent()).toEqual([
      { method: 'set_preference', params: { project: 'web', org: 'acme', key: 'environments', value: 'production,staging' } },
    ]);
    expect((await screen.findByRole('status')).textContent).toBe('Done: notify me for staging too. The next one like it notifies.');
    expect(refresh).toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Notify me for staging too' })).toBeNull();
  });

  it("shows the issue's state in Sentry and its size, whoever changed it", async () => {
    const { rerender } = render(InboxRow, {
      alert: entry({ issue: { status: 'unresolved', assigned_to: null, assignment_known: true, assignee_name: null, events: 1, users: 0 } }),
      assignees: [], refresh: vi.fn(), fail: vi.fn(), act: vi.fn(), undo: vi.fn(), mute: vi.fn(),
    });
    expect(document.querySelector('.issue-state')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('unassigned 1 event · 0 users');
    expect(document.querySelector('.pill.status'), 'an open issue has no status pill').toBeNull();
    await rerender({
      alert: entry({ issue: { status: 'resolved', assigned_to: 'user:9', assignment_known: true, assignee_name: 'Jane Roe', events: 12345, users: 3 } }),
    });
    expect(screen.getByText('resolved').className).toContain('status-resolved');
    expect(screen.getByText('assigned to Jane Roe')).toBeTruthy();
    expect(screen.getByText('12,345 events · 3 users')).toBeTruthy();
  });

  it('offers Undo for 30 seconds after Sentry confirmed the action, not after', async () => {
    const undo = vi.fn().mockResolvedValue(undefined);
    const done = (until: number) =>
      ({ id: 3, org: 'acme', issue_id: '5150', kind: 'resolve', argument: null, state: 'done', error: null, undo_until: until }) as never;
    const { rerender } = render(InboxRow, {
      alert: entry(), assignees: [], refresh: vi.fn(), fail: vi.fn(), act: vi.fn(), undo, mute: vi.fn(),
      outcome: done(Math.floor(Date.now() / 1000) - 1),
    });
    expect(screen.queryByRole('button', { name: /Undo/ }), 'expired').toBeNull();
    // Whole seconds, as the engine says them: between one and two seconds left.
    await rerender({ outcome: done(Math.floor(Date.now() / 1000) + 2) });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Undo: Resolved (resolve)' }));
    expect(undo).toHaveBeenCalledWith(expect.objectContaining({ id: 3 }));
    await new Promise((r) => setTimeout(r, 2100));
    expect(screen.queryByRole('button', { name: /Undo/ }), 'gone when the 30 s are over').toBeNull();
  });
});
