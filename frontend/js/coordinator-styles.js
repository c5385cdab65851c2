/** The coordinator screens' stylesheet, added once when one of them is first shown. */

/** @type {Promise<void> | null} */
let loading = null;

/** Resolves when /css/coordinator.css applies (a failed load leaves the page plain, not stuck). */
export function coordinatorStyles() {
  loading ??= new Promise((resolve) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/css/coordinator.css';
    link.addEventListener('load', () => resolve());
    link.addEventListener('error', () => resolve());
    document.head.append(link);
  });
  return loading;
}
