// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { topicMatches } from './topic-filter';

describe('topicMatches', () => {
  it('matches a substring, ignoring case and surrounding blanks', () => {
    expect(topicMatches('Orders.EU', 'orders')).toBe(true);
    expect(topicMatches('orders.eu', ' .EU ')).toBe(true);
    expect(topicMatches('payments', 'orders')).toBe(false);
    expect(topicMatches('anything', '')).toBe(true);
  });
});
