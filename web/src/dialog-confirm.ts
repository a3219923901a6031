// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// A yes/no question in a native modal <dialog>: showModal() gives focus
// containment, Escape closing it and a backdrop for free. Focus goes back
// to the element that opened it.

import { h, uniqueId } from './dom';

export interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel: string;
  cancelLabel?: string;
  /** Where focus returns once the dialog is closed. */
  opener?: HTMLElement | null;
}

/** Resolves true when the user confirmed, false on Cancel or Escape. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const titleId = uniqueId('confirm-title');
  const messageId = uniqueId('confirm-message');
  return new Promise((resolve) => {
    let confirmed = false;
    const confirmButton = h('button', { type: 'button', class: 'button danger', 'data-action': 'confirm' }, options.confirmLabel);
    const cancelButton = h(
      'button',
      { type: 'button', class: 'button', 'data-action': 'cancel', autofocus: true },
      options.cancelLabel ?? 'Cancel',
    );
    const dialog = h(
      'dialog',
      { id: 'confirm-dialog', class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': messageId },
      h('h2', { id: titleId }, options.title),
      h('p', { id: messageId }, options.message),
      h('div', { class: 'dialog-buttons' }, confirmButton, cancelButton),
    );
    confirmButton.addEventListener('click', () => {
      confirmed = true;
      dialog.close();
    });
    cancelButton.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      options.opener?.focus();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has the focus (autofocus is not honoured everywhere).
    cancelButton.focus();
  });
}

/** The confirmation text of disabling a topic's archiving. */
export function disableMessage(topic: string): string {
  return (
    `Stop archiving ${topic}? Archived objects stay in the bucket; the consumer group's offsets ` +
    `stay in Kafka, so enabling it again continues where it stopped.`
  );
}

/** Asks whether to disable a topic's archiving. */
export function confirmDisable(topic: string, opener: HTMLElement | null): Promise<boolean> {
  return confirmDialog({
    title: `Disable archiving of ${topic}`,
    message: disableMessage(topic),
    confirmLabel: 'Disable',
    cancelLabel: 'Cancel',
    opener,
  });
}
