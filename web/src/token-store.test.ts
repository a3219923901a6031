// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { TOKEN_KEY, TokenStore, type TokenStorage } from './token-store';

function memoryStorage(initial: Record<string, string> = {}): TokenStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (k) => data[k] ?? null,
    setItem: (k, v) => {
      data[k] = v;
    },
    removeItem: (k) => {
      delete data[k];
    },
  };
}

describe('TokenStore', () => {
  it('reads, writes and clears the session key', () => {
    const storage = memoryStorage({ [TOKEN_KEY]: 'abc' });
    const store = new TokenStore(storage);
    expect(TOKEN_KEY).toBe('kafka2cos.token');
    expect(store.get()).toBe('abc');
    store.set('xyz');
    expect(storage.data[TOKEN_KEY]).toBe('xyz');
    store.clear();
    expect(store.get()).toBeNull();
    expect(TOKEN_KEY in storage.data).toBe(false);
  });
  it('treats an empty stored token as none', () => {
    expect(new TokenStore(memoryStorage({ [TOKEN_KEY]: '' })).get()).toBeNull();
  });
  it('keeps working in memory when storage throws', () => {
    const failing: TokenStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    const store = new TokenStore(failing);
    expect(store.get()).toBeNull();
    store.set('t');
    expect(store.get()).toBe('t');
    store.clear();
    expect(store.get()).toBeNull();
  });
});
