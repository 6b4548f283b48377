import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { InboxEntry, OwnershipAnswer, Project } from './protocol';

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import OwnershipTester from './OwnershipTester.svelte';

const web = { org: 'acme', slug: 'web', name: 'Web' } as Project;
const issue = { id: 1, issue_id: '42', short_id: 'WEB-42', title: 'Boom', project: 'web', org: 'acme', actionable: true } as InboxEntry;
const sentrys = 'path:src/payments/* #payments\n*.py jane@example.com';

function answer(rules: string): OwnershipAnswer {
  if (rules.includes('path: ')) {
    return { rules, rules_unavailable: null, error: { message: 'Parse error: ownership (line 3, column 6): a pattern right after the type and its colon', line: 3, column: 6 }, event_missing: null, owners: [], auto_assignee: null, matches: [] };
  }
  return {
    rules, rules_unavailable: null, error: null, event_missing: null,
    owners: ['jane@example.com', '#payments'], auto_assignee: 'jane@example.com',
    matches: [{ line: 1, text: 'path:src/payments/* #payments', owners: ['#payments'] }, { line: 2, text: '*.py jane@example.com', owners: ['jane@example.com'] }],
  };
}

describe('the ownership tester', () => {
  it("tests Sentry's rules against an issue, then the rules as typed, with the error at its line", async () => {
    invoke.mockImplementation(async (_: string, { request }) =>
      request.method === 'inbox'
        ? { inbox: { entries: [issue, { ...issue, id: 2, issue_id: '43', short_id: 'WEB-43', actionable: false }], more: false } }
        : { ownership: answer(request.params.rules ?? sentrys) },
    );
    const user = userEvent.setup();
    render(OwnershipTester, { projects: [web] });
    await user.selectOptions(screen.getByLabelText('Project'), 'acme/web');
    await user.selectOptions(screen.getByLabelText('Against the latest event of'), '42');
    expect(invoke.mock.calls[0][1].request, "the project's issues, asked of the engine").toEqual({
      method: 'inbox', params: { query: { filter: 'all', project: 'web', org: 'acme' } },
    });
    expect(screen.getAllByRole('option').some((o) => o.textContent?.includes('WEB-43')), 'a metric alert is no issue to test').toBe(false);
    expect((await screen.findByText('jane@example.com, #payments', {}, { timeout: 2000 })).id).toBe('tester-owners');
    const rules = screen.getByLabelText(/^Rules/) as HTMLTextAreaElement;
    await vi.waitFor(() => expect(rules.value).toBe(sentrys));
    expect(document.querySelectorAll('#tester-lines li.match').length).toBe(2);
    await user.type(rules, '\npath: #b');
    const error = await screen.findByRole('alert', {}, { timeout: 2000 });
    expect(error.textContent).toContain('Line 3, column 6');
    const last = invoke.mock.calls[invoke.mock.calls.length - 1][1].request;
    expect(last).toMatchObject({ method: 'test_ownership', params: { project: 'web', org: 'acme', issue: '42', rules: `${sentrys}\npath: #b` } });
    expect(document.querySelector('#tester-lines li.bad')?.textContent).toContain('path: #b');
  });
});
