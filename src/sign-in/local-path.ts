/** A stand-in origin: only what resolves within it is a path of Gatehouse's own. */
const here = 'https://gatehouse.invalid';

/**
 * A return address that stays on Gatehouse: a path of its own (with its query), else `/`.
 * Another origin, a protocol-relative `//host`, `/\host` (which browsers read as `//host`),
 * control characters (which URL parsing drops, turning `/\t/host` into `//host`) and any
 * scheme are not paths here.
 */
export function localPath(value: string | undefined): string {
  if (value === undefined || !value.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, here);
  } catch {
    return '/';
  }
  if (url.origin !== here || url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
