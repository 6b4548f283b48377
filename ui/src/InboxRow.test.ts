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
    ...changes,
  } as InboxEntry;
}

const sent = () => invoke.mock.calls.map(([, { request }]) => request);

describe('an inbox row', () => {
  beforeEach(() => {
    invoke.mockReset();
    invoke.mockResolvedValue({ queued: 1 });
  });

  it('sends the chosen action for its alert, then clears the choice and refreshes', async () => {
    const refresh = vi.fn();
    render(InboxRow, { alert: entry(), assignees: [], refresh, fail: vi.fn() });
    const user = userEvent.setup();
    const choice = screen.getByLabelText('Act on WEB-9') as HTMLSelectElement;
    await user.selectOptions(choice, 'ignore=30');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(sent()).toEqual([{ method: 'act_on_alert', params: { alert: 7, action: 'ignore=30' } }]);
    expect(refresh).toHaveBeenCalled();
    expect(choice.value).toBe('');
  });

  it('assigns to whoever is typed, over the list, and offers the teammates from Sentry', async () => {
    render(InboxRow, {
      alert: entry(),
      assignees: [{ assignee: 'team:payments', label: '#payments' }],
      refresh: vi.fn(),
      fail: vi.fn(),
    });
    expect(screen.getByRole('option', { name: 'Assign to #payments' })).toBeTruthy();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Assign to'), 'sam@example.com');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(sent()).toEqual([{ method: 'act_on_alert', params: { alert: 7, action: 'assign=sam@example.com' } }]);
  });

  it('says why an action was refused', async () => {
    invoke.mockRejectedValue('no alert 7');
    const fail = vi.fn();
    render(InboxRow, { alert: entry(), assignees: [], refresh: vi.fn(), fail });
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Act on WEB-9'), 'resolve');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(fail).toHaveBeenCalledTimes(1);
    expect(String(fail.mock.calls[0][0])).toBe('no alert 7');
  });

  it("shows a title from Sentry as text, never as markup, and offers no action where there is no issue", () => {
    const { container } = render(InboxRow, {
      alert: entry({ title: '<img src=x onerror="window.pwned=1">Click', actionable: false }),
      assignees: [],
      refresh: vi.fn(),
      fail: vi.fn(),
    });
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="window.pwned=1">Click');
    expect(screen.queryByRole('button', { name: 'Send' })).toBeNull();
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
});
