import { beforeEach, describe, expect, it, vi } from 'vitest';

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import { ask, fieldOf } from './engine';

describe('ask', () => {
  beforeEach(() => invoke.mockReset());

  it('sends the method and its parameters as the engine reads them, and returns the reply asked for', async () => {
    invoke.mockResolvedValue({ queued: 3 });
    await expect(ask('act_on_alert', { alert: 7, action: 'resolve' }, 'queued')).resolves.toBe(3);
    expect(invoke).toHaveBeenCalledWith('engine', {
      request: { method: 'act_on_alert', params: { alert: 7, action: 'resolve' } },
    });
  });

  it('refuses a reply of another kind, saying what came back', async () => {
    invoke.mockResolvedValue('done');
    await expect(ask('inbox', { query: { before: null, limit: null, filter: 'all', search: null } }, 'inbox')).rejects.toThrow('the engine answered inbox with "done", not inbox');
  });

  it("turns the engine's refusal into an error with its message and the field it concerns", async () => {
    invoke.mockRejectedValueOnce({ message: 'Sentry rejected the token (401)', field: 'token' });
    const refused = await ask('add_account', { url: 'u', org: 'o', token: 't' }, 'account').catch((e) => e);
    expect(String(refused)).toBe('Sentry rejected the token (401)');
    expect(fieldOf(refused)).toBe('token');
    invoke.mockRejectedValueOnce('the window could not reach the app');
    const other = await ask('status', {}, 'status').catch((e) => e);
    expect([String(other), fieldOf(other)]).toEqual(['the window could not reach the app', null]);
  });
});
