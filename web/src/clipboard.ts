// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Copying text to the clipboard. The async Clipboard API needs a secure
// context and the user's permission; when it is missing or refuses, the
// caller shows the text in a read-only field instead.

/** True when the text was copied. */
export async function copyText(text: string): Promise<boolean> {
  if (typeof navigator === 'undefined' || !navigator.clipboard?.writeText) return false;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
