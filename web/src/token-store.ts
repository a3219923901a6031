// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Where the API token lives between page loads of one tab: sessionStorage,
// so it is gone when the tab closes and is never sent as a cookie.

export const TOKEN_KEY = 'kafka2cos.token';

/** The part of the Web Storage API the store needs (injectable for tests). */
export type TokenStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export class TokenStore {
  // Kept in memory too: storage may be unavailable (privacy modes throw).
  private memory: string | null = null;

  constructor(private readonly storage: TokenStorage | null) {
    try {
      this.memory = storage?.getItem(TOKEN_KEY) ?? null;
    } catch {
      this.memory = null;
    }
    if (this.memory === '') this.memory = null;
  }

  get(): string | null {
    return this.memory;
  }

  set(token: string): void {
    this.memory = token;
    try {
      this.storage?.setItem(TOKEN_KEY, token);
    } catch {
      // Memory only: the token is asked again after a reload.
    }
  }

  clear(): void {
    this.memory = null;
    try {
      this.storage?.removeItem(TOKEN_KEY);
    } catch {
      // Nothing stored, nothing to remove.
    }
  }
}
