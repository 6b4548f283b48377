import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

const { openUrl } = vi.hoisted(() => ({ openUrl: vi.fn() }));
vi.mock('@tauri-apps/plugin-opener', () => ({ openUrl }));

import Link from './Link.svelte';

const page = 'https://sentry.example.com/settings/account/api/auth-tokens/';

describe("a link to one of Sentry's pages", () => {


  it('opens in the browser, and the window stays where it is', async () => {
    openUrl.mockResolvedValue(undefined);
    render(Link, { href: page, id: 'token-page' });
    const link = screen.getByRole('link', { name: page });
    const clicked = new MouseEvent('click', { bubbles: true, cancelable: true });
    link.dispatchEvent(clicked);
    expect(clicked.defaultPrevented).toBe(true);
    expect(openUrl).toHaveBeenCalledWith(page);
  });

  it('says so when no browser opens, and the address can still be copied', async () => {
    // As Tauri's invoke fails: with the error's text.
    openUrl.mockImplementation(() => Promise.reject('no browser found'));
    const user = userEvent.setup();
    render(Link, { href: page, id: 'token-page' });
    await user.click(screen.getByRole('link', { name: page }));
    expect((await screen.findByRole('alert')).textContent).toContain('Could not open the browser (no browser found)');
    await user.click(screen.getByRole('button', { name: 'Copy the address' }));
    expect(await navigator.clipboard.readText()).toBe(page);
  });
});
