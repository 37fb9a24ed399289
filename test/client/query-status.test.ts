import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getQuery, listQuery } from '../../src/client/query.ts';
import { resolveResourceRef, resourcePath as pathOf } from '../../src/client/resource-ref.ts';
import { parseRetryAfter, statusErrorFromResponse } from '../../src/client/status.ts';
import { isNotFound, isTooManyRequests, isInternalError, StatusError } from '../../src/api/status-error.ts';

const resourcePath = (resource: string, namespace: string, name?: string): string => pathOf(resolveResourceRef(resource), namespace, name);

describe('request paths and queries', () => {
  it('builds escaped resource paths and rejects unusable names', () => {
    assert.equal(resourcePath('secrets', 'kube-system', 'a.b'), '/api/v1/namespaces/kube-system/secrets/a.b');
    assert.equal(resourcePath('configmaps', 'ns'), '/api/v1/namespaces/ns/configmaps');
    assert.equal(resourcePath('pods', ''), '/api/v1/pods', 'namespace "" lists and watches across namespaces');
    assert.throws(() => resourcePath('pods', '', 'p'), /namespace must be a non-empty name/, 'a get needs a namespace');
    assert.equal(resourcePath('secrets', 'ns', 'a b%'), '/api/v1/namespaces/ns/secrets/a%20b%25');
    assert.throws(() => resourcePath('secrets', 'ns', 'a/b'), /name must be a non-empty name without "\/", got "a\/b"/);
    assert.throws(() => resourcePath('secrets', '', 'x'), /namespace must be/);
    assert.throws(() => resourcePath('secrets', 'ns', '..'), /name must be/);
    assert.throws(() => resolveResourceRef('Secrets'), /lowercase plural resource name/);
    assert.throws(() => resolveResourceRef('secrets/x'), /lowercase plural resource name/);
  });

  it('puts watch=1 and every list option in the query, URL-encoded', () => {
    const query = listQuery(
      {
        labelSelector: 'app in (a,b),tier!=web',
        fieldSelector: 'metadata.name=my secret&x',
        resourceVersion: '42',
        resourceVersionMatch: 'NotOlderThan',
        timeoutSeconds: 300,
        allowWatchBookmarks: true,
        sendInitialEvents: false,
        limit: 500,
        continue: 'tok=en',
      },
      true,
    );
    assert.ok(query.startsWith('?watch=1&'));
    const params = new URLSearchParams(query.slice(1));
    assert.equal(params.get('labelSelector'), 'app in (a,b),tier!=web');
    assert.equal(params.get('fieldSelector'), 'metadata.name=my secret&x');
    assert.equal(params.get('resourceVersion'), '42');
    assert.equal(params.get('resourceVersionMatch'), 'NotOlderThan');
    assert.equal(params.get('timeoutSeconds'), '300');
    assert.equal(params.get('allowWatchBookmarks'), 'true');
    assert.equal(params.get('sendInitialEvents'), 'false');
    assert.equal(params.get('limit'), '500');
    assert.equal(params.get('continue'), 'tok=en');
    assert.equal(listQuery({}, false), '');
    assert.equal(getQuery({ resourceVersion: '0' }), '?resourceVersion=0');
    assert.equal(getQuery({}), '');
  });

  it('names the option that has the wrong type', () => {
    assert.throws(() => listQuery({ timeoutSeconds: -1 }, true), /ListOptions.timeoutSeconds must be an integer >= 0, got -1/);
    assert.throws(() => listQuery({ labelSelector: 5 as unknown as string }, true), /ListOptions.labelSelector must be a string/);
    assert.throws(() => listQuery({ allowWatchBookmarks: 'yes' as unknown as boolean }, true), /ListOptions.allowWatchBookmarks must be a boolean/);
  });
});

describe('statusErrorFromResponse', () => {
  it('uses the server Status as sent', () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'secrets "x" not found', reason: 'NotFound', details: { name: 'x', kind: 'secrets' }, code: 404 };
    const err = statusErrorFromResponse(404, undefined, Buffer.from(JSON.stringify(status)), 'get secrets "ns/x"');
    assert.ok(err instanceof StatusError);
    assert.ok(isNotFound(err));
    assert.equal(err.message, 'secrets "x" not found');
    assert.deepEqual(err.status, status);
  });

  it('takes Retry-After from the header when the Status lacks it', () => {
    const status = { kind: 'Status', status: 'Failure', message: 'slow down', reason: 'TooManyRequests', code: 429 };
    const err = statusErrorFromResponse(429, '7', Buffer.from(JSON.stringify(status)), 'list');
    assert.ok(isTooManyRequests(err));
    assert.equal(err.retryAfterSeconds, 7);
  });

  it('never repeats a body that is not a Status', () => {
    const err = statusErrorFromResponse(500, undefined, Buffer.from('panic: token=s3cr3t'), 'get secrets "ns/x"');
    assert.ok(isInternalError(err));
    assert.equal(err.statusCode, 500);
    assert.match(err.message, /get secrets "ns\/x": the server answered HTTP 500 \(InternalError\) with a 19-byte body that is not a Kubernetes Status/);
    assert.doesNotMatch(err.message, /s3cr3t/);
    const plain429 = statusErrorFromResponse(429, '3', Buffer.from('Too many requests, please try again later.'), 'list');
    assert.ok(isTooManyRequests(plain429));
    assert.equal(plain429.retryAfterSeconds, 3);
    assert.equal(statusErrorFromResponse(418, undefined, Buffer.alloc(0), 'x').reason, 'Unknown');
  });

  it('parses Retry-After seconds only', () => {
    assert.equal(parseRetryAfter('5'), 5);
    assert.equal(parseRetryAfter(['2', '9']), 2);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT'), undefined);
    assert.equal(parseRetryAfter('-1'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});
