/** Builds DOM nodes; text is always inserted as text, never parsed as HTML. */

/**
 * @typedef {Object} Props
 * @property {string} [class]
 * @property {string} [text]
 * @property {Record<string, (event: any) => void>} [on]
 * @property {Record<string, string>} [dataset]
 */

/** @typedef {Node | string | null | undefined | false} Child */

/**
 * Creates an element: h('button', {type: 'button', on: {click}}, 'Send').
 * Keys other than class/text/on/dataset become attributes (`true` → empty attribute, false/null → none).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props & Record<string, unknown>} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') {
      for (const [name, fn] of Object.entries(/** @type {Record<string, EventListener>} */ (value))) {
        el.addEventListener(name, fn);
      }
    } else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} parent
 * @param {(Child | Child[])[]} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

let counter = 0;
/** A document-unique id for label/aria wiring. @param {string} prefix */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
