import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import Setup from './Setup.svelte';

type Call = { request: { method: string; params: Record<string, unknown> } };

describe('the first-run setup', () => {
  it('refuses a bad token, lets a slow check be cancelled, clears the stale error, and goes on with a good one', async () => {
    // The engine as the window meets it: a bad token, then a check that hangs until cancelled,
    // then a good one.
    let giveUp: ((why: string) => void) | undefined;
    const answers = [
      () => Promise.reject('Sentry rejected the token (401)'),
      () => new Promise((_, reject) => (giveUp = reject)),
      () => Promise.resolve({ account: { org: 'acme', org_name: 'Acme Corp', email: 'jane@example.com' } }),
    ];
    invoke.mockImplementation(async (_: string, { request }: Call) => {
      if (request.method === 'add_account') return answers.shift()!();
      if (request.method === 'sentry_workflow' || request.method === 'apply_sentry_workflow') {
        return { sentry_workflow: { org: 'acme', setting: 'subscribe_only', projects: [['api', 'never']] } };
      }
      if (request.method === 'cancel_account_check') {
        giveUp?.('the check of the token was cancelled; nothing was added');
        return 'done';
      }
      return 'done';
    });
    const done = vi.fn();
    const refreshProjects = vi.fn();
    render(Setup, {
      status: null,
      projects: [],
      refresh: vi.fn(),
      refreshProjects,
      setPreference: vi.fn(),
      showStatus: vi.fn(),
      done,
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Organization slug'), 'acme');
    const token = screen.getByLabelText('Auth token') as HTMLInputElement;
    await user.type(token, 'wrong');
    const check = screen.getByRole('button', { name: 'Check and add' });
    await user.click(check);
    expect((await screen.findByRole('alert')).textContent).toBe('Sentry rejected the token (401)');

    await user.clear(token);
    await user.type(token, 'slow');
    await user.click(check);
    const busy = await screen.findByRole('button', { name: 'Checking the token with Sentry…' });
    expect((busy as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toContain('cancelled; nothing was added');
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();

    await user.clear(token);
    await user.type(token, 'sntryu_good');
    await user.click(screen.getByRole('button', { name: 'Check and add' }));
    expect((await screen.findByText(/^Added /)).textContent).toBe('Added Acme Corp (acme) as jane@example.com.');
    expect(refreshProjects).toHaveBeenCalled();
    expect(screen.getByText('Which projects should notify you, and from which level?')).toBeTruthy();
    // Sentry's own workflow setting, proposed as the start; used in one click.
    const proposal = document.getElementById('setup-workflow')!;
    await screen.findByRole('button', { name: 'Use my Sentry setting' });
    expect(proposal.textContent?.replace(/\s+/g, ' ')).toContain(
      'In Sentry you get workflow notifications (assignments, resolutions, comments) only for issues you are subscribed to, with 1 project set otherwise.',
    );
    expect(proposal.textContent).toContain('api: never (no assignments, mentions, comments or others’ changes)');
    await user.click(screen.getByRole('button', { name: 'Use my Sentry setting' }));
    expect((await screen.findByRole('status')).textContent).toContain('follow your Sentry setting');
    expect(invoke.mock.calls.map(([, { request }]) => request).filter((r) => r.method === 'apply_sentry_workflow')).toEqual([
      { method: 'apply_sentry_workflow', params: { org: 'acme' } },
    ]);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(done).toHaveBeenCalled();
  });

  it('says so where the server has no notification settings to start from', async () => {
    invoke.mockReset();
    invoke.mockImplementation(async (_: string, { request }: Call) => {
      if (request.method === 'add_account') return { account: { org: 'acme', org_name: 'Acme', email: 'jane@example.com' } };
      if (request.method === 'sentry_workflow') {
        throw { message: 'http://glitchtip.local has no personal notification settings to start from (GlitchTip has none): the app’s defaults apply', field: null };
      }
      return 'done';
    });
    render(Setup, { status: null, projects: [], refresh: vi.fn(), refreshProjects: vi.fn(), setPreference: vi.fn(), showStatus: vi.fn(), done: vi.fn() });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Organization slug'), 'acme');
    await user.type(screen.getByLabelText('Auth token'), 'sntryu_good');
    await user.click(screen.getByRole('button', { name: 'Check and add' }));
    expect((await screen.findByText(/has no personal notification settings/)).id).toBe('setup-workflow-note');
    expect(screen.queryByRole('button', { name: 'Use my Sentry setting' })).toBeNull();
  });
});
