import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import MenuButton from './MenuButton.svelte';

describe('a menu button', () => {
  afterEach(() => vi.restoreAllMocks());

  const choices = (): [string, string][] => [['a', 'First'], ['b', 'Second']];

  it('opens below its button, or above it where the window ends', async () => {
    const pick = vi.fn();
    render(MenuButton, { name: 'ignore', label: 'Ignore WEB-1', text: 'Ignore…', choices, pick });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Ignore WEB-1' }));
    expect(screen.getByRole('menu').classList.contains('upwards'), 'room below').toBe(false);
    await user.keyboard('{Escape}');

    // The last row of a full window: the menu would end 100 px below the window's edge.
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
      const menu = this.getAttribute('role') === 'menu';
      const top = menu ? window.innerHeight - 20 : window.innerHeight - 50;
      return { top, bottom: top + (menu ? 120 : 30), height: menu ? 120 : 30, left: 0, right: 100, width: 100, x: 0, y: top, toJSON: () => ({}) } as DOMRect;
    });
    await user.click(screen.getByRole('button', { name: 'Ignore WEB-1' }));
    expect(screen.getByRole('menu').classList.contains('upwards'), 'no room below').toBe(true);
    await user.click(screen.getByRole('menuitem', { name: 'Second' }));
    expect(pick).toHaveBeenCalledWith('b');
  });

  it("keeps the keys of an open menu from the inbox's shortcuts", async () => {
    render(MenuButton, { name: 'assign', label: 'Assign WEB-1', text: 'Assign…', choices, pick: vi.fn() });
    const heard: string[] = [];
    const listen = (e: KeyboardEvent) => heard.push(e.key);
    window.addEventListener('keydown', listen);
    const user = userEvent.setup();
    await user.keyboard('j');
    await user.click(screen.getByRole('button', { name: 'Assign WEB-1' }));
    await user.keyboard('j{ArrowDown}k{Escape}');
    window.removeEventListener('keydown', listen);
    expect(heard, 'only the key pressed with the menu closed').toEqual(['j']);
    expect(screen.queryByRole('menu')).toBeNull();
  });
});
