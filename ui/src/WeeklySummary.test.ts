import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ResponseWeek, WeeklySummary as Summary } from './protocol';

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/plugin-opener', () => ({ openUrl: vi.fn() }));

import WeeklySummary from './WeeklySummary.svelte';

const week = (n: number, first: number | null, resolve: number | null): ResponseWeek => ({
  from: new Date(Date.UTC(2026, 8, 7 + 7 * n, 8)).toISOString(), notified: first == null ? 0 : 4, acted: first == null ? 0 : 3,
  to_first_action: first, resolved: resolve == null ? 0 : 2, to_resolve: resolve,
});

const summary = (changes: Partial<Summary> = {}): Summary => ({
  from: '2026-11-23T08:00:00Z', to: '2026-11-30T08:00:00Z',
  projects: [
    { org: 'acme', project: 'web', name: 'Web shop', new: 3, regressed: 1, resolved: 2 },
    { org: 'acme', project: 'api', name: null, new: 1, regressed: 0, resolved: 0 },
  ],
  top: [{ org: 'acme', issue_id: '12', label: 'WEB-12', title: '<b>TypeError</b>', project: 'web', events: 5000, alerts: 3, web_url: null }],
  unassigned_mine: [],
  kept_back: [{ why: 'spike protection', held: 7, not_shown: 0 }, { why: 'muted by a rule', held: 0, not_shown: 12 }],
  weeks: [...Array.from({ length: 10 }, (_, n) => week(n, null, null)), week(10, 600, 7200), week(11, 840, 3600)],
  schedule: { weekly: 'at', day: 'Mon', time: '09:00:00', time_zone: null },
  next_due: '2026-12-07T08:00:00Z',
  ...changes,
});

describe('the weekly summary page', () => {
  beforeEach(() => {
    invoke.mockReset();
    invoke.mockImplementation(async (_: string, { request }: { request: { method: string; params: { schedule?: string } } }) => {
      if (request.method === 'set_summary_schedule') {
        if (request.params.schedule === 'someday') throw { message: 'weekly summary: `someday`: expected off, or a day and a time', field: null };
        return { weekly_summary: summary({ schedule: { weekly: 'at', day: 'Fri', time: '16:30:00', time_zone: 'Europe/Berlin' } }) };
      }
      return { weekly_summary: summary() };
    });
  });

  it('shows the week per project, the top issues, what was kept back and the response times as a plot', async () => {
    render(WeeklySummary, { active: true, fail: vi.fn() });
    await waitFor(() => expect(document.getElementById('summary-totals')?.textContent).toBe('4 new · 1 regressed · 2 resolved'));
    const rows = [...document.querySelectorAll('#summary-projects tbody tr')].map((r) => r.textContent);
    expect(rows).toEqual(['Web shop312', 'api100']);
    expect(screen.getByText('WEB-12 · <b>TypeError</b>'), 'a title from Sentry stays text').toBeTruthy();
    expect(document.getElementById('summary-unassigned-none')?.textContent).toBe('None.');
    expect([...document.querySelectorAll('#summary-kept tbody tr')].map((r) => r.textContent)).toEqual(['spike protection70', 'muted by a rule012']);
    expect(document.getElementById('summary-response')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      '4 notified this week; 3 acted on, median 14 min to your first action; 2 resolved, median 1 h.',
    );
    // Two weeks with medians: two points on each line, the resolve line the higher.
    const first = document.querySelector('#summary-plot path.first-action')!.getAttribute('d')!;
    const resolve = document.querySelector('#summary-plot path.resolve')!.getAttribute('d')!;
    expect(first.split(' ')).toHaveLength(2);
    expect(resolve.split(' ')).toHaveLength(2);
    const ys = (d: string) => d.split(' ').map((p) => Number(p.split(',')[1]));
    expect(ys(resolve)[0]).toBeLessThan(ys(first)[0]);
    expect(document.querySelectorAll('#summary-plot circle')).toHaveLength(4);
    expect(document.querySelector('#summary-plot')?.getAttribute('aria-label')).toContain('over 12 weeks');
  });

  it('is read only while shown, and sets when the summary comes, with the engine refusing a bad time', async () => {
    const { rerender } = render(WeeklySummary, { active: false, fail: vi.fn() });
    expect(invoke).not.toHaveBeenCalled();
    await rerender({ active: true });
    const user = userEvent.setup();
    const input = await screen.findByLabelText(/Day and time/);
    expect((input as HTMLInputElement).value).toBe('mon 09:00');
    await user.clear(input);
    await user.type(input, 'someday');
    await user.click(screen.getByRole('button', { name: 'Set' }));
    expect((await screen.findByRole('alert')).textContent).toContain('expected off, or a day and a time');
    await user.clear(input);
    await user.type(input, 'fri 16:30 Europe/Berlin');
    await user.click(screen.getByRole('button', { name: 'Set' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect((input as HTMLInputElement).value).toBe('fri 16:30 Europe/Berlin');
    // An earlier week, then back.
    await user.click(screen.getByRole('button', { name: '‹ Earlier week' }));
    const asked = invoke.mock.calls.map(([, { request }]) => request).filter((r) => r.method === 'weekly_summary');
    expect(asked[asked.length - 1].params).toEqual({ to: '2026-11-23T08:00:00.000Z' });
    await waitFor(() => expect((screen.getByRole('button', { name: 'Later week ›' }) as HTMLButtonElement).disabled).toBe(false));
    await user.click(screen.getByRole('button', { name: 'Later week ›' }));
    await waitFor(() => expect((screen.getByRole('button', { name: 'Later week ›' }) as HTMLButtonElement).disabled, 'back at the latest').toBe(true));
  });
});
