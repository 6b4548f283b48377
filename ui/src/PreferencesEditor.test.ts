import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Preferences, ProjectPreferences, Recent } from './protocol';

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import PreferencesEditor from './PreferencesEditor.svelte';

const preferences: Preferences = {
  enabled: true, min_level: 'warning', environments: ['production'], kinds: ['new_issue', 'regression'],
  audience: 'everything', quiet_hours: null, snoozed_until: null, spike_limit_per_hour: 10, digest_up_to: null,
  digest_every_hours: 4, digest_at: null, urgent_from: 'fatal', sound: true, expire_after: { warning: 30, error: 120 },
  mute: [{ field: 'title', value: 'ResizeObserver' }], local_rules: '',
};
const settings: ProjectPreferences = {
  preferences,
  from: { enabled: 'own', min_level: 'account', environments: 'own', mute: 'everyone' },
};

const alert = (id: number, title: string) => ({ id, title }) as Recent;

function answer(request: { method: string; params: { rules?: { value: unknown }[] } }) {
  if (request.method === 'environments') return { environments: ['production', 'staging'] };
  if (request.method === 'mute_preview') {
    const rules = request.params.rules ?? [];
    return { mute_preview: { checked: 12, matches: rules.map((r) => (String(r.value).includes('Chunk') ? [alert(3, 'ChunkLoadError: 404')] : [alert(1, 'ResizeObserver loop'), alert(2, 'ResizeObserver again')])) } };
  }
  throw new Error(`unexpected ${request.method}`);
}

function editor(set = vi.fn().mockResolvedValue(null), reset = vi.fn().mockResolvedValue(undefined)) {
  render(PreferencesEditor, {
    scope: { project: 'web', org: 'acme', label: 'Web' }, settings, set, reset, close: vi.fn(),
  });
  return { set, reset };
}

const field = (name: string) => document.getElementById(`pref-${name}`)!;

describe('the preferences editor', () => {
  beforeEach(() => {
    invoke.mockReset();
    invoke.mockImplementation(async (_: string, { request }) => answer(request));
  });

  it('sends every change as the key and value `prefs` reads', async () => {
    const { set } = editor();
    const user = userEvent.setup();
    await user.click(screen.getByLabelText('Notify'));
    await user.selectOptions(screen.getByLabelText('Minimum level'), 'error');
    await user.click(await within(field('environments')).findByLabelText('staging'));
    await user.click(within(field('kinds')).getByLabelText('Escalating issues'));
    await user.selectOptions(screen.getByLabelText('Whose alerts'), 'owned');
    await user.click(screen.getByLabelText('Hold notifications at set hours'));
    await user.clear(screen.getByLabelText('Time zone'));
    await user.type(screen.getByLabelText('Time zone'), 'Europe/Berlin');
    await user.click(screen.getByRole('button', { name: 'Save quiet hours' }));
    await user.selectOptions(screen.getByLabelText('Hold back for the digest'), 'info');
    await user.clear(screen.getByLabelText('Digest time zone'));
    await user.type(screen.getByLabelText('Digest time zone'), 'UTC');
    await user.type(screen.getByLabelText('Digest times'), '09:00, 17:00');
    await user.click(within(field('digest_at')).getByRole('button', { name: 'Save' }));
    const spike = within(field('spike_limit_per_hour')).getByRole('spinbutton');
    await user.clear(spike);
    await user.type(spike, '3');
    await user.tab();
    await user.selectOptions(screen.getByLabelText('Urgent from'), 'error');
    await user.click(screen.getByLabelText('Urgent notifications play the alert sound'));
    const warning = screen.getByLabelText('Seconds a warning notification stays');
    await user.clear(warning);
    await user.type(warning, '5');
    await user.tab();
    await user.type(screen.getByLabelText('Mute pattern'), 'ChunkLoadError');
    await user.click(screen.getByRole('button', { name: 'Add rule' }));
    await user.type(screen.getByLabelText('Ownership rules of my own'), 'path:src/* me@example.com');
    await user.click(screen.getByRole('button', { name: 'Save rules' }));
    expect(set.mock.calls).toEqual([
      ['enabled', 'off'],
      ['min_level', 'error'],
      ['environments', 'production,staging'],
      ['kinds', 'new_issue,regression,escalating'],
      ['audience', 'owned'],
      ['quiet_hours', 'Europe/Berlin mon,tue,wed,thu,fri 22:00-07:00 breakthrough'],
      ['digest_up_to', 'info'],
      ['digest_at', 'UTC 09:00,17:00'],
      ['spike_limit', '3'],
      ['urgent_from', 'error'],
      ['sound', 'off'],
      ['expire_after', 'warning=5'],
      ['mute', JSON.stringify([{ field: 'title', value: 'ResizeObserver' }, { field: 'title', value: 'ChunkLoadError' }])],
      ['local_rules', 'path:src/* me@example.com'],
    ]);
  });

  it('says where each value comes from and resets one at a time', async () => {
    const { reset } = editor();
    expect(within(field('enabled')).getByText('set here')).toBeTruthy();
    expect(within(field('min_level')).getByText("from acme's defaults")).toBeTruthy();
    expect(within(field('mute')).getByText("from everyone's defaults")).toBeTruthy();
    expect(within(field('sound')).getByText('default')).toBeTruthy();
    expect(within(field('min_level')).queryByRole('button', { name: /Reset/ })).toBeNull();
    await userEvent.setup().click(within(field('environments')).getByRole('button', { name: 'Reset Environments' }));
    expect(reset).toHaveBeenCalledWith(['environments']);
  });

  it("shows the engine's refusal at the field it concerns", async () => {
    const set = vi.fn().mockResolvedValue("`local_rules=path:[`: line 1, column 6: unclosed character class");
    editor(set);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Ownership rules of my own'), 'path:[[ x');
    await user.click(screen.getByRole('button', { name: 'Save rules' }));
    const error = await within(field('local_rules')).findByRole('alert');
    expect(error.textContent).toContain('line 1, column 6');
    expect(within(field('enabled')).queryByRole('alert')).toBeNull();
  });

  it('previews what a mute rule would have muted while it is typed, and what each rule did', async () => {
    editor();
    expect(await within(field('mute')).findByText('would have muted 2 of the last 12 alerts')).toBeTruthy();
    await userEvent.setup().type(screen.getByLabelText('Mute pattern'), 'Chunk');
    const preview = await screen.findByText('ChunkLoadError: 404', {}, { timeout: 2000 });
    expect(preview.closest('#mute-preview')?.textContent).toContain('title contains "Chunk": would have muted 1 of the last 12 alerts');
  });

  it('keeps both of two quick clicks, before the first change came back', async () => {
    const { set } = editor();
    const user = userEvent.setup();
    await user.click(within(field('kinds')).getByLabelText('Escalating issues'));
    await user.click(within(field('kinds')).getByLabelText('Changes by others to my issues'));
    expect(set.mock.calls[set.mock.calls.length - 1]).toEqual(['kinds', 'new_issue,regression,escalating,state_changed']);
  });

  it('shows a grown list of mute rules while their preview is asked again', async () => {
    const { rerender } = render(PreferencesEditor, {
      scope: { project: 'web', org: 'acme', label: 'Web' }, settings, set: vi.fn(), reset: vi.fn(), close: vi.fn(),
    });
    await screen.findByText('would have muted 2 of the last 12 alerts');
    invoke.mockImplementation(() => new Promise(() => {}));
    const mute = [...preferences.mute, { field: 'tag', value: ['browser', 'IE 11'] }] as Preferences['mute'];
    await rerender({ settings: { ...settings, preferences: { ...preferences, mute } } });
    expect(await screen.findByText('tag browser=IE 11')).toBeTruthy();
    expect(screen.queryByText(/would have muted/)).toBeNull();
  });

  it('keeps what is being typed when the preferences are read again for another change', async () => {
    const set = vi.fn().mockResolvedValue(null);
    const { rerender } = render(PreferencesEditor, {
      scope: { project: 'web', org: 'acme', label: 'Web' }, settings, set, reset: vi.fn(), close: vi.fn(),
    });
    const user = userEvent.setup();
    const spike = within(field('spike_limit_per_hour')).getByRole('spinbutton') as HTMLInputElement;
    await user.clear(spike);
    await user.type(spike, '3');
    await rerender({ settings: { ...settings, preferences: { ...preferences, sound: false } } });
    expect(spike.value).toBe('3');
    await user.tab();
    expect(set).toHaveBeenCalledWith('spike_limit', '3');
  });
});
