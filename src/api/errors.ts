/**
 * The errors of kube-object-manager: one hierarchy under KomError, as
 * undici has one under UndiciError.
 *
 * Every error the library raises for its callers (a rejected get(), what
 * `onError` hears, a failed request of the client) is a KomError with a stable string `code` to match on, and a
 * `name` equal to its class name. Match on the class (`instanceof`) or on
 * `code`, never on `message`: messages say what happened for a person to
 * read and may change, except NotRegisteredError's, which is the kubelet's
 * (`object "ns"/"name" not registered`). A wrapping error keeps what it
 * wraps as the standard `cause`; hasErrorCode() and the StatusError
 * predicates (isNotFound, ...) look through causes.
 *
 * README.md ("Errors") lists every class and code.
 *
 * A class that refines another for the library's own use (the client's
 * StreamRefusedError is a ConnectionError) keeps its parent's code.
 *
 * What is not a KomError: a call the library cannot make sense of (a
 * missing function, an option of the wrong type or out of range, a pod
 * without a namespace) throws a TypeError or RangeError naming the option
 * or argument, as Node's own APIs do; that is a programming error to fix,
 * not a condition to handle. An abort rejects with the signal's reason.
 *
 * No error carries secret data: messages name objects, options and sizes,
 * never the content of an answer, a token or what a credential plugin
 * printed.
 */
export abstract class KomError extends Error {
  /** The class name, such as `NotRegisteredError`. */
  abstract override readonly name: string;
  /** Stable: `KOM_` and what happened, such as `KOM_NOT_REGISTERED`. */
  abstract readonly code: string;
}

/**
 * A 2xx answer that is not what the Kubernetes API sends for the request: a
 * body that is not JSON, a list without an items array, a watch event
 * without an object, a resourceVersion that is not a string. The message
 * says what was wrong, never what the body held.
 */
export class MalformedResponseError extends KomError {
  override readonly name = 'MalformedResponseError';
  readonly code = 'KOM_RESPONSE_MALFORMED';
}
