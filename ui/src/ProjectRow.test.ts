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
  from: 'own',
} as Project;

function table(set: (project: Project, key: string, value: string) => Promise<boolean>) {
  const host = document.createElement('tbody');
  document.body.append(document.createElement('table').appendChild(host).parentElement!);
  return render(ProjectRow, { target: host, props: { project: web, id: 'project-web', audience: true, set } });
}

describe('a project row', () => {
  it('sends each change as the preference key and value the engine reads', async () => {
    const set = vi.fn().mockResolvedValue(true);
    table(set);
    const user = userEvent.setup();
    await user.click(screen.getByLabelText('Notify for Web'));
    await user.selectOptions(screen.getByLabelText('Minimum level for Web'), 'error');
    await user.selectOptions(screen.getByLabelText('Whose alerts in Web'), 'owned');
    expect(set.mock.calls.map(([, key, value]) => [key, value])).toEqual([
      ['enabled', 'off'],
      ['min_level', 'error'],
      ['audience', 'owned'],
    ]);
  });

  it('puts a refused change back to what is stored', async () => {
    table(vi.fn().mockResolvedValue(false));
    const user = userEvent.setup();
    const enabled = screen.getByLabelText('Notify for Web') as HTMLInputElement;
    await user.click(enabled);
    await vi.waitFor(() => expect(enabled.checked).toBe(true));
    const level = screen.getByLabelText('Minimum level for Web') as HTMLSelectElement;
    await user.selectOptions(level, 'fatal');
    await vi.waitFor(() => expect(level.value).toBe('warning'));
  });
});

describe('where a project row says its preferences come from', () => {
  it("offers Reset where they are the project's own, and not where they are inherited", async () => {
    const reset = vi.fn();
    const host = document.createElement('tbody');
    document.body.append(document.createElement('table').appendChild(host).parentElement!);
    const { rerender } = render(ProjectRow, {
      target: host,
      props: { project: web, id: 'project-web', audience: true, set: vi.fn(), reset },
    });
    expect(screen.getByText('set for this project')).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Reset' }));
    expect(reset).toHaveBeenCalledWith(web);
    await rerender({ project: { ...web, from: 'account' } });
    expect(screen.getByText("from acme's defaults")).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Reset' })).toBeNull();
  });
});
