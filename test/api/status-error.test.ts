import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as api from '../../src/index.ts';

const { StatusError, newNotFound } = api;

test('a StatusError carries the server Status: code, reason, message, retry-after', () => {
  const err = StatusError.of(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 3 });
  assert.equal(err.statusCode, 429);
  assert.equal(err.reason, 'TooManyRequests');
  assert.equal(err.message, 'slow down');
  assert.equal(err.retryAfterSeconds, 3);
  assert.equal(err.status.kind, 'Status');
  assert.ok(api.isTooManyRequests(err));
  assert.ok(!api.isNotFound(err));
});

test('newNotFound reads like kube-apiserver', () => {
  const err = newNotFound({ group: '', resource: 'secrets' }, 'db');
  assert.equal(err.message, 'secrets "db" not found');
  assert.equal(err.statusCode, 404);
  assert.ok(api.isNotFound(err));
  assert.equal(newNotFound({ group: 'apps', resource: 'deployments' }, 'web').message, 'deployments.apps "web" not found');
});

test('each predicate matches its reason, or its code when the reason is missing', () => {
  const cases: [(e: unknown) => boolean, number, string][] = [
    [api.isNotFound, 404, 'NotFound'],
    [api.isAlreadyExists, 409, 'AlreadyExists'],
    [api.isConflict, 409, 'Conflict'],
    [api.isGone, 410, 'Gone'],
    [api.isResourceExpired, 410, 'Expired'],
    [api.isInvalid, 422, 'Invalid'],
    [api.isBadRequest, 400, 'BadRequest'],
    [api.isUnauthorized, 401, 'Unauthorized'],
    [api.isForbidden, 403, 'Forbidden'],
    [api.isTooManyRequests, 429, 'TooManyRequests'],
    [api.isInternalError, 500, 'InternalError'],
    [api.isServiceUnavailable, 503, 'ServiceUnavailable'],
    [api.isTimeout, 504, 'Timeout'],
  ];
  for (const [predicate, code, reason] of cases) {
    assert.ok(predicate(StatusError.of(code, reason, 'x')), `${reason} by reason`);
    assert.ok(predicate(StatusError.of(code, '', 'x')), `${reason} by bare code ${code}`);
    assert.ok(!predicate(StatusError.of(418, 'Teapot', 'x')), `${reason} rejects others`);
    assert.ok(!predicate(new Error(reason)), `${reason} rejects plain errors`);
  }
  // 409 with a reason is one or the other, never both.
  assert.ok(!api.isConflict(StatusError.of(409, 'AlreadyExists', 'x')));
  assert.ok(api.isResourceExpired(StatusError.of(410, 'Gone', 'x')));
  assert.ok(api.isServerTimeout(StatusError.of(500, 'ServerTimeout', 'x')));
});

test('predicates see a StatusError through wrapping causes', () => {
  const wrapped = new Error('watch failed', { cause: new Error('inner', { cause: StatusError.of(410, 'Expired', 'too old') }) });
  assert.ok(api.isResourceExpired(wrapped));
  assert.ok(!api.isNotFound(wrapped));
});

test('ResourceVersionTooLarge is recognised from its cause or old-server message', () => {
  assert.ok(api.isResourceVersionTooLarge(StatusError.of(504, 'Timeout', 'x', { causes: [{ reason: 'ResourceVersionTooLarge' }] })));
  assert.ok(api.isResourceVersionTooLarge(StatusError.of(504, 'Timeout', 'Too large resource version: 5, current: 3')));
  assert.ok(!api.isResourceVersionTooLarge(StatusError.of(504, 'Timeout', 'slow')));
});
