import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import Settings from './Settings.svelte';

function props() {
  return {
    status: null,
    autostart: false,
    projects: [],
    refresh: vi.fn(),
    refreshProjects: vi.fn(),
    fail: vi.fn(),
    showStatus: vi.fn(),
    setAutostart: vi.fn(),
    setPreference: vi.fn(),
    resetPreferences: vi.fn(),
    edit: vi.fn(),
    editing: null,
    projectsNote: null,
  };
}

describe('adding an account', () => {
  beforeEach(() => invoke.mockReset());

  it("shows Sentry's refusal beside the form, then the account once a good token is given", async () => {
    const user = userEvent.setup();
    const given = props();
    render(Settings, given);
    await user.type(screen.getByLabelText('Organization'), 'acme');
    const token = screen.getByLabelText('Auth token') as HTMLInputElement;
    await user.type(token, 'wrong');
    invoke.mockRejectedValueOnce('Sentry rejected the token (401)');
    await user.click(screen.getByRole('button', { name: 'Add account' }));
    const message = await screen.findByText('Sentry rejected the token (401)');
    expect(message.id).toBe('account-message');
    expect(message.classList.contains('missing')).toBe(true);

    await user.clear(token);
    await user.type(token, 'sntryu_good');
    invoke.mockResolvedValueOnce({
      account: { id: 1, url: 'https://sentry.io', org: 'acme', org_name: 'Acme Corp', email: 'jane@example.com' },
    });
    await user.click(screen.getByRole('button', { name: 'Add account' }));
    await screen.findByText('Added acme (Acme Corp) as jane@example.com.');
    expect(invoke).toHaveBeenLastCalledWith('engine', {
      request: { method: 'add_account', params: { url: 'https://sentry.io', org: 'acme', token: 'sntryu_good' } },
    });
    expect(token.value).toBe('');
    expect(given.refreshProjects).toHaveBeenCalled();
    expect(document.body.textContent).not.toContain('sntryu_good');
  });
});
