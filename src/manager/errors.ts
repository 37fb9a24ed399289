import { KomError } from '../api/errors.ts';

/**
 * Errors the stores and managers raise themselves (API errors are
 * StatusError, client errors come from the client): KomErrors, each with a
 * stable `code` to match on; messages the kubelet prints keep the kubelet's
 * words.
 */

/** get() of an object no registered referrer references. The message is the kubelet's. */
export class NotRegisteredError extends KomError {
  override readonly name = 'NotRegisteredError';
  readonly code = 'KOM_NOT_REGISTERED';
  constructor(namespace: string, name: string) {
    super(`object "${namespace}"/"${name}" not registered`);
  }
}

/** The cache was stopped (its signal aborted, or its source closed): it starts no watch and serves nothing that may have changed. */
export class CacheStoppedError extends KomError {
  override readonly name = 'CacheStoppedError';
  readonly code = 'KOM_CACHE_STOPPED';
}

/** get() waited the sync timeout for an object's first list; `cause` is the watch's last error, if any. */
export class SyncTimeoutError extends KomError {
  override readonly name = 'SyncTimeoutError';
  readonly code = 'KOM_SYNC_TIMEOUT';
}

/** The server answered with an object other than the one asked for (another name, namespace or kind). */
export class UnexpectedObjectError extends KomError {
  override readonly name = 'UnexpectedObjectError';
  readonly code = 'KOM_UNEXPECTED_OBJECT';
}
