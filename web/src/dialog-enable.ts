// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The "Archive <topic>" form: bucket, window, start, format, compression,
// sent as PUT v1/tasks/<topic>. The worker writes a probe object before it
// saves the task; when the store refuses (422) or a setting is wrong (400)
// the API's message is shown inside the dialog, which stays open.

import { ApiError } from './api';
import type { Task } from './api-types';
import { h, setText } from './dom';
import {
  START_HINTS,
  buildTaskSettings,
  compressionsFor,
  defaultFormat,
  formatsOf,
  validateWindowMinutes,
  windowBoundsMinutes,
} from './enable-form-model';
import type { AppContext } from './view';

const OTHER_BUCKET = '__other__';

function option(value: string, label: string, selected = false): HTMLOptionElement {
  const el = h('option', { value }, label);
  el.selected = selected;
  return el;
}

/** Shows or hides a field's message and marks the control invalid for assistive tech. */
function setFieldError(control: HTMLElement, messageEl: HTMLElement, message: string | null | undefined): void {
  messageEl.textContent = message ?? '';
  messageEl.hidden = !message;
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

/**
 * Opens the dialog. Resolves to the saved task, or null when the user
 * cancelled (Cancel, Escape) without saving.
 */
export function openEnableDialog(ctx: AppContext, topic: string, opener: HTMLElement | null): Promise<Task | null> {
  const info = ctx.info();
  const formats = formatsOf(info);
  const bounds = windowBoundsMinutes(info);

  // Bucket: a list from the store, or a name typed in.
  // Not disabled while loading: it is the first field, so showModal() focuses it.
  const bucketSelect = h('select', { id: 'bucket', name: 'bucket', 'aria-busy': 'true' }, option('', 'Loading buckets…', true));
  const bucketSelectField = h(
    'div',
    { class: 'field' },
    h('label', { for: 'bucket' }, 'Bucket'),
    bucketSelect,
  );
  const bucketNote = h('p', { id: 'bucket-note', class: 'note', hidden: true });
  const bucketName = h('input', {
    id: 'bucket-name',
    name: 'bucket-name',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'bucket-error',
  });
  const bucketNameField = h(
    'div',
    { class: 'field', id: 'bucket-name-field', hidden: true },
    h('label', { for: 'bucket-name' }, 'Bucket name'),
    bucketName,
  );
  const bucketError = h('p', { id: 'bucket-error', class: 'field-error', hidden: true });

  const windowInput = h('input', {
    id: 'window',
    name: 'window',
    type: 'number',
    inputmode: 'numeric',
    min: bounds.min,
    max: bounds.max,
    step: 1,
    value: bounds.initial,
    required: true,
    'aria-describedby': 'window-hint window-error',
  });
  const windowError = h('p', { id: 'window-error', class: 'field-error', hidden: true });

  const startSelect = h(
    'select',
    { id: 'start', name: 'start', 'aria-describedby': 'start-hint' },
    option('latest', 'latest', true),
    option('earliest', 'earliest'),
  );

  const initialFormat = defaultFormat(formats);
  const formatSelect = h(
    'select',
    { id: 'format', name: 'format', 'aria-describedby': 'format-hint' },
    ...formats.map((f) => {
      const el = option(f.name, f.name, f.name === initialFormat);
      if (f.summary) el.title = f.summary;
      return el;
    }),
  );
  const formatHint = h('p', { id: 'format-hint', class: 'hint' });
  const compressionSelect = h('select', { id: 'compression', name: 'compression' });

  const enableError = h('p', { id: 'enable-error', class: 'alert', role: 'alert', hidden: true });
  const progress = h('p', { id: 'enable-progress', class: 'loading', role: 'status', hidden: true });
  const submitButton = h('button', { type: 'submit', class: 'button primary' }, 'Enable archiving');
  const cancelButton = h('button', { type: 'button', class: 'button' }, 'Cancel');

  const form = h(
    'form',
    { id: 'enable-form', class: 'form', novalidate: true },
    h('h2', { id: 'enable-title' }, `Archive ${topic}`),
    bucketSelectField,
    bucketNote,
    bucketNameField,
    bucketError,
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'window' }, 'Window (minutes)'),
      windowInput,
      h(
        'p',
        { id: 'window-hint', class: 'hint' },
        `Between ${bounds.min} and ${bounds.max} minutes: one object per partition and window.`,
      ),
      windowError,
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'start' }, 'Start from'),
      startSelect,
      h('p', { id: 'start-hint', class: 'hint' }, `${START_HINTS.latest}; ${START_HINTS.earliest}`),
    ),
    h('div', { class: 'field' }, h('label', { for: 'format' }, 'Format'), formatSelect, formatHint),
    h('div', { class: 'field' }, h('label', { for: 'compression' }, 'Compression'), compressionSelect),
    enableError,
    progress,
    h('div', { class: 'dialog-buttons' }, submitButton, cancelButton),
  );
  const dialog = h('dialog', { id: 'enable-dialog', class: 'dialog', 'aria-labelledby': 'enable-title' }, form);

  /** The compression list follows the format; its first entry is the format's default. */
  const syncFormat = (): void => {
    const format = formatSelect.value;
    const summary = formats.find((f) => f.name === format)?.summary ?? '';
    setText(formatHint, summary);
    formatHint.hidden = summary === '';
    const compressions = compressionsFor(formats, format);
    compressionSelect.replaceChildren(...compressions.map((c, i) => option(c, c, i === 0)));
  };
  syncFormat();
  formatSelect.addEventListener('change', syncFormat);

  const useTypedBucketOnly = (note: string | null): void => {
    const hadFocus = document.activeElement === bucketSelect;
    bucketSelectField.hidden = true;
    bucketNameField.hidden = false;
    if (note) {
      bucketNote.textContent = note;
      bucketNote.hidden = false;
    }
    if (hadFocus) bucketName.focus();
  };
  bucketSelect.addEventListener('change', () => {
    bucketNameField.hidden = bucketSelect.value !== OTHER_BUCKET;
    if (!bucketNameField.hidden) bucketName.focus();
  });

  const windowErrorNow = (): void => {
    setFieldError(windowInput, windowError, validateWindowMinutes(windowInput.value, bounds));
  };
  windowInput.addEventListener('input', windowErrorNow);

  let saved: Task | null = null;
  let busy = false;

  const bucketValue = (): string =>
    bucketSelectField.hidden || bucketSelect.value === OTHER_BUCKET ? bucketName.value : bucketSelect.value;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    enableError.hidden = true;
    const result = buildTaskSettings(
      {
        bucket: bucketValue(),
        windowMinutes: windowInput.value,
        start: startSelect.value,
        format: formatSelect.value,
        compression: compressionSelect.value,
      },
      bounds,
    );
    const bucketControl = bucketNameField.hidden ? bucketSelect : bucketName;
    if (!result.ok) {
      setFieldError(bucketControl, bucketError, result.errors.bucket);
      setFieldError(windowInput, windowError, result.errors.window);
      (result.errors.bucket ? bucketControl : windowInput).focus();
      return;
    }
    setFieldError(bucketControl, bucketError, null);
    setFieldError(windowInput, windowError, null);

    busy = true;
    submitButton.disabled = true;
    progress.textContent = `Checking that the worker can write to ${result.settings.bucket}…`;
    progress.hidden = false;
    ctx.api
      .putTask(topic, result.settings)
      .then((task) => {
        saved = task;
        ctx.notify(`Archiving ${topic} to ${task.bucket || result.settings.bucket}`);
        dialog.close();
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) {
          dialog.close();
          return;
        }
        let message = err instanceof Error ? err.message : String(err);
        if (err instanceof ApiError && err.retryable) message += ': try again in a few seconds.';
        enableError.textContent = message;
        enableError.hidden = false;
      })
      .finally(() => {
        busy = false;
        submitButton.disabled = false;
        progress.hidden = true;
      });
  });

  cancelButton.addEventListener('click', () => dialog.close());

  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus();
      resolve(saved);
    });
    document.body.append(dialog);
    dialog.showModal();

    ctx.api
      .buckets()
      .then(({ buckets }) => {
        const names = buckets.map((b) => b.name);
        bucketSelect.replaceChildren(
          ...names.map((name, i) => option(name, name, i === 0)),
          option(OTHER_BUCKET, 'Other…', names.length === 0),
        );
        bucketSelect.removeAttribute('aria-busy');
        bucketNameField.hidden = names.length > 0;
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) return;
        const message = err instanceof Error ? err.message : String(err);
        useTypedBucketOnly(`The bucket list is not available (${message}): enter the bucket name.`);
      });
  });
}
