/** Locating worker-thread entry files both from compiled dist/ (.js) and from source under tsx (.ts). */

/** `workerUrl(import.meta.url, './chunk-worker')` → the sibling file with the caller's own extension. */
export function workerUrl(callerUrl: string, relativeNoExt: string): URL {
  const ext = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(relativeNoExt + ext, callerUrl);
}
