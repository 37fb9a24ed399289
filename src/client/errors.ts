import { KomError } from '../api/errors.ts';

/**
 * Errors the client raises itself (API errors are StatusError, answers that
 * are not what the API sends are MalformedResponseError): KomErrors, each
 * with a stable `code` to match on.
 */

/** A watch stream line that is not a watch event. The watch ends with it; the reflector relists. */
export class WatchDecodeError extends KomError {
  override readonly name = 'WatchDecodeError';
  readonly code = 'KOM_WATCH_MALFORMED';
}

/** A watch that received no bytes (not even a bookmark) for the stall timeout. */
export class WatchStalledError extends KomError {
  override readonly name = 'WatchStalledError';
  readonly code = 'KOM_WATCH_STALLED';
}

/** A request made after Client.close(), or cut short by it. */
export class ClientClosedError extends KomError {
  override readonly name = 'ClientClosedError';
  readonly code = 'KOM_CLIENT_CLOSED';
}

/** The connection to the API server failed or ended mid-response. `cause` holds the socket or HTTP/2 error. */
export class ConnectionError extends KomError {
  override readonly name: string = 'ConnectionError';
  readonly code = 'KOM_CONNECTION';
}

/** A request without a complete answer in time (ClientOptions.requestTimeoutMs). */
export class RequestTimeoutError extends KomError {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'KOM_REQUEST_TIMEOUT';
}

/**
 * An answer, or the unfinished watch event lines of a client, larger than a
 * limit of ClientOptions: `option` names it (`maxResponseBytes`,
 * `maxEventBytes`, `maxBufferedWatchBytes`) and `limit` is its value in
 * bytes. The stream is destroyed; nothing read before is kept.
 */
export class ResponseTooLargeError extends KomError {
  override readonly name = 'ResponseTooLargeError';
  readonly code = 'KOM_RESPONSE_TOO_LARGE';
  readonly option: string;
  readonly limit: number;

  constructor(message: string, option: string, limit: number) {
    super(message);
    this.option = option;
    this.limit = limit;
  }
}

/**
 * The KubeConfig has no current cluster a request can go to: none at all, or
 * its server URL is not an http(s) URL.
 */
export class KubeConfigError extends KomError {
  override readonly name = 'KubeConfigError';
  readonly code = 'KOM_KUBECONFIG';
}

/**
 * The credentials of the KubeConfig's current user cannot be produced: a
 * token file that cannot be read, an exec credential plugin that fails or
 * answers what is not an ExecCredential, a certificate file that is missing.
 * The message names the user, file or plugin; it never quotes a credential
 * or what a plugin printed. `cause` holds the underlying error, if any.
 */
export class CredentialsError extends KomError {
  override readonly name = 'CredentialsError';
  readonly code = 'KOM_CREDENTIALS';
}
