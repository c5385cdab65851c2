/** Client-side routing: matches a path against the route table and renders the route's view. */

/**
 * What every view gets. Views render into `root` and may return a clean-up function.
 * @typedef {Object} Context
 * @property {Record<string, string>} params      path parameters, e.g. {code} for /join/:code
 * @property {URLSearchParams} query
 * @property {(path: string, options?: {replace?: boolean}) => void} navigate
 * @property {(message: string, kind?: 'info' | 'error') => void} announce   writes to the screen's one
 *   message area (a live region); a navigation empties it, so announce after navigate() for the next screen
 * @property {() => void} clearMessage   empties it (a step of the same screen, e.g. the guided flow)
 * @property {import('./outbox.js').Outbox} outbox
 * @property {() => void} refresh    re-renders the current route (e.g. after a language change)
 */

/**
 * @typedef {Object} ViewModule
 * @property {(root: HTMLElement, context: Context) => Promise<(() => void) | void>} render
 */

/**
 * @typedef {Object} Route
 * @property {string} path     '/join/:code' — segments starting with ':' are parameters
 * @property {() => Promise<ViewModule>} view   lazy, so a screen's code loads only when it is shown
 * @property {string} title    i18n key of the document title
 * @property {boolean} [member]    needs a joined member (otherwise the join screen is shown)
 * @property {string} [nav]        i18n key: shown in the member navigation with this label
 */

/**
 * @param {Route[]} routes
 * @param {string} pathname
 * @returns {{route: Route, params: Record<string, string>} | null}
 */
export function matchRoute(routes, pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1);
  for (const route of routes) {
    const pattern = route.path.replace(/\/+$/, '').split('/').slice(1);
    if (pattern.length !== parts.length) continue;
    /** @type {Record<string, string>} */
    const params = {};
    const ok = pattern.every((segment, i) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(parts[i]);
        return parts[i] !== '';
      }
      return segment === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}

/**
 * @param {{routes: Route[], show: (match: {route: Route, params: Record<string, string>} | null,
 *          path: string) => Promise<void>}} options
 */
export function createRouter({ routes, show }) {
  // The mark lets bench/page_weight measure when a screen is ready for input.
  const resolve = () =>
    show(matchRoute(routes, location.pathname), location.pathname).then(() => {
      performance.mark('pux:view-ready');
    });

  /** @param {string} path @param {{replace?: boolean}} [options] */
  function navigate(path, { replace = false } = {}) {
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    void resolve();
  }

  /** In-app links navigate without a page load. @param {MouseEvent} event */
  function onClick(event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = /** @type {Element} */ (event.target).closest('a');
    if (!link || link.target || link.hasAttribute('download') || link.origin !== location.origin) return;
    if (!matchRoute(routes, link.pathname)) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  }

  function start() {
    window.addEventListener('popstate', () => void resolve());
    document.addEventListener('click', onClick);
    return resolve();
  }

  return { start, navigate, refresh: resolve };
}
