// Every request goes to the engine through the window process, which reads it as the engine's
// typed request (`Request` in protocol.ts, generated from the Rust types); the reply comes back
// tagged with its kind ({"inbox": [...]}, or "done").
import { invoke } from '@tauri-apps/api/core';
import type { Failure, InputField, Reply, Request } from '../protocol';

type Method = Request['method'];
type ParamsOf<M extends Method> = Extract<Request, { method: M }>['params'];
type Tagged = Exclude<Reply, 'done'>;
type KeysOf<T> = T extends unknown ? keyof T : never;
type Kind = KeysOf<Tagged>;
type ValueOf<K extends Kind> = Extract<Tagged, Record<K, unknown>>[K];

/** The engine's refusal: its message (what `String(e)` shows) and the field it concerns. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly field: InputField | null = null,
  ) {
    super(message);
  }

  toString(): string {
    return this.message;
  }
}

/** The field a refusal concerns, if it is the engine's and names one. */
export function fieldOf(e: unknown): InputField | null {
  return e instanceof EngineError ? e.field : null;
}

async function call(method: Method, params: unknown): Promise<Reply> {
  try {
    return await invoke<Reply>('engine', { request: { method, params } });
  } catch (e) {
    const failure = e as Partial<Failure> | null;
    if (failure && typeof failure === 'object' && typeof failure.message === 'string') {
      throw new EngineError(failure.message, failure.field ?? null);
    }
    throw new EngineError(String(e));
  }
}

/** Sends `method` and returns the reply of kind `kind` (an error if the engine answered otherwise). */
export async function ask<M extends Method, K extends Kind>(method: M, params: ParamsOf<M>, kind: K): Promise<ValueOf<K>> {
  const reply = await call(method, params);
  if (typeof reply === 'string' || !(kind in reply)) {
    throw new Error(`the engine answered ${method} with ${JSON.stringify(reply)}, not ${kind}`);
  }
  return (reply as unknown as Record<K, ValueOf<K>>)[kind];
}

/** Sends `method`, whose reply says only that it was done. */
export async function tell<M extends Method>(method: M, params: ParamsOf<M>): Promise<void> {
  await call(method, params);
}
