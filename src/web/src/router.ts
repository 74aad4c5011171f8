/**
 * Hash routes, so every view has a URL an analyst can share and the server serves one page:
 *   #/detections?level=high&host=WS-014   →  { path: ['detections'], params }
 */
import { useEffect, useState } from 'react';

export interface Route {
  readonly path: readonly string[];
  readonly params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const path = pathPart
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  return { path, params: new URLSearchParams(queryPart) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** `#/cases/ID` from parts, each encoded. */
export function href(parts: readonly string[], params?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${parts.map(encodeURIComponent).join('/')}${s ? `?${s}` : ''}`;
}

export function navigate(parts: readonly string[], params?: Record<string, string | undefined>): void {
  window.location.hash = href(parts, params);
}

/** Replaces the query of the current view without a new history entry (filters as you type). */
export function replaceParams(parts: readonly string[], params: Record<string, string | undefined>): void {
  window.history.replaceState(null, '', href(parts, params));
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
