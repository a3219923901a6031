// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// A tiny element builder so views can be written as nested calls instead of
// HTML strings: no innerHTML means no markup injection from topic names or
// API messages, and listeners are attached with addEventListener (the CSP
// forbids inline handlers).

export type Child = Node | string | number | null | undefined | false;

type Listener = (event: Event) => void;
export type AttrValue = string | number | boolean | null | undefined | Listener;
export type Attrs = Record<string, AttrValue>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function applyAttrs(el: Element, attrs: Attrs | undefined): void {
  if (!attrs) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      // "onClick" -> "click"
      el.addEventListener(name.slice(2).toLowerCase(), value);
      continue;
    }
    if (name === 'class') {
      el.setAttribute('class', String(value));
    } else if (value === true) {
      el.setAttribute(name, '');
    } else if ((name === 'value' || name === 'checked') && el instanceof HTMLInputElement) {
      // Set the property too: the attribute is only the default value.
      el.setAttribute(name, String(value));
      if (name === 'value') el.value = String(value);
    } else {
      el.setAttribute(name, String(value));
    }
  }
}

function appendChildren(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Creates an HTML element with attributes, listeners (`onClick`…) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  appendChildren(el, children);
  return el;
}

/** Creates an SVG element (the chart is drawn without a library). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  applyAttrs(el, attrs);
  appendChildren(el, children);
  return el;
}

/** Replaces an element's children (same child rules as h()). */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  appendChildren(el, children);
}

/** Replaces the text of an element only when it changed (keeps screen readers quiet). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

let idCounter = 0;
/** A document-unique id for label/aria wiring of repeated elements. */
export function uniqueId(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
