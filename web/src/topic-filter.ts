// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The topic list's text filter: a case-insensitive substring of the name,
// which is what people type when they remember part of a topic's name.

/** True when the topic's name holds the filter text (blank filter: every topic). */
export function topicMatches(topic: string, filter: string): boolean {
  return topic.toLowerCase().includes(filter.trim().toLowerCase());
}
