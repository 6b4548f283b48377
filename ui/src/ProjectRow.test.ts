import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Project } from './protocol';
import ProjectRow from './ProjectRow.svelte';

const web = {
  org: 'acme',
  slug: 'web',
  name: 'Web',
  preferences: { enabled: true, min_level: 'warning', audience: 'everything' },
  from: { enabled: 'own', min_level: 'account', audience: 'everyone' },
} as Project;

function table(set: (project: string, org: string | null, key: string, value: string) => Promise<string | null>) {
  const host = document.createElement('tbody');
  document.body.append(document.createElement('table').appendChild(host).parentElement!);
  return render(ProjectRow, { target: host, props: { project: web, id: 'project-web', audience: true, set } });
}

describe('a project row', () => {
  it('sends each change as the preference key and value the engine reads', async () => {
    const set = vi.fn().mockResolvedValue(null);
    table(set);
    const user = userEvent.setup();
    await user.click(screen.getByLabelText('Notify for Web'));
    await user.selectOptions(screen.getByLabelText('Minimum level for Web'), 'error');
    await user.selectOptions(screen.getByLabelText('Whose alerts in Web'), 'owned');
    expect(set.mock.calls.map(([project, org, key, value]) => [project, org, key, value])).toEqual([
      ['web', 'acme', 'enabled', 'off'],
      ['web', 'acme', 'min_level', 'error'],
      ['web', 'acme', 'audience', 'owned'],
    ]);
  });

  it('puts a refused change back to what is stored and says why beside it', async () => {
    table(vi.fn().mockResolvedValue('the database is read-only'));
    const user = userEvent.setup();
    const enabled = screen.getByLabelText('Notify for Web') as HTMLInputElement;
    await user.click(enabled);
    await vi.waitFor(() => expect(enabled.checked).toBe(true));
    const level = screen.getByLabelText('Minimum level for Web') as HTMLSelectElement;
    await user.selectOptions(level, 'fatal');
    await vi.waitFor(() => expect(level.value).toBe('warning'));
    expect(screen.getByRole('alert').textContent).toBe('the database is read-only');
  });
});

describe('where a project row says its preferences come from', () => {
  it("offers Reset where some are the project's own, and not where all are inherited", async () => {
    const reset = vi.fn();
    const edit = vi.fn();
    const host = document.createElement('tbody');
    document.body.append(document.createElement('table').appendChild(host).parentElement!);
    const { rerender } = render(ProjectRow, {
      target: host,
      props: { project: web, id: 'project-web', audience: true, set: vi.fn(), reset, edit },
    });
    expect(screen.getByText('1 setting of its own')).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Reset Web' }));
    expect(reset).toHaveBeenCalledWith(web);
    await user.click(screen.getByRole('button', { name: 'All settings of Web' }));
    expect(edit).toHaveBeenCalledWith(web);
    await rerender({ project: { ...web, from: { enabled: 'account', min_level: 'everyone' } } });
    expect(screen.getByText("follows acme's defaults")).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Reset Web' })).toBeNull();
  });
});
