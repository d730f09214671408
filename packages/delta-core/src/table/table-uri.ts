import { DeltaError } from '../errors.js';
import { localPathFromUri } from '../storage/local-store.js';

/**
 * Turns the location a user gives into the table root path used with the engine's store.
 * Local paths and `file:` URIs resolve to absolute local paths; `memory://name` maps to `/name`
 * (for the in-memory store). Other schemes are refused until a store for them exists.
 */
export function tableRootFromUri(uri: string): string {
  if (uri === '') throw new DeltaError('INVALID_ARGUMENT', 'The table location is empty. Pass a directory path or a file: URI.');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file' || /^[a-zA-Z]:[\\/]/.test(uri)) return stripSlash(localPathFromUri(uri));
  if (scheme === 'memory') return stripSlash('/' + uri.slice('memory://'.length).replace(/^\/+/, ''));
  throw new DeltaError('UNSUPPORTED_OPERATION', `The storage scheme "${scheme}:" of ${uri} is not supported yet. Use a local path or a file: URI.`, {
    details: { uri, scheme },
  });
}

function stripSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}
