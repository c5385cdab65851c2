/** An invite link as a QR code, drawn as SVG rectangles from the matrix of the pinned `uqr`
 * package (served from /vendor; loaded only by the coordinator's screens). */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * The invite link as a QR code, drawn as SVG rectangles (from the matrix of the pinned `uqr` package).
 * @param {string} text
 * @param {string} label
 */
export async function qrCode(text, label) {
  const { encode } = /** @type {{encode: (text: string, options?: object) => {data: boolean[][]}}} */ (
    await import(/** @type {string} */ ('/vendor/uqr.mjs'))
  );
  const { data } = encode(text, { ecc: 'M', border: 2 });
  const size = data.length;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  svg.append(background);
  let path = '';
  data.forEach((row, y) => row.forEach((dark, x) => { if (dark) path += `M${x} ${y}h1v1h-1z`; }));
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', path);
  modules.setAttribute('fill', '#000');
  svg.append(modules);
  return svg;
}

