// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

// Every answer here was checked against kube-apiserver v1.37.2.
const CMS = '/api/v1/namespaces/default/configmaps';
const unsupported = 'Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"';
const both = (policy: string): string => `Invalid value: "${policy}": orphanDependents and deletionPropagation cannot be both set`;

describe('DeleteOptions validation', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  async function create(name: string): Promise<void> {
    assert.equal((await req(server, 'POST', CMS, { body: { metadata: { name }, data: { k: 'v' } } })).status, 201);
  }

  async function exists(name: string): Promise<boolean> {
    return (await req(server, 'GET', `${CMS}/${name}`)).status === 200;
  }

  it('refuses an unknown propagationPolicy (query or body) with 422 on DeleteOptions and keeps the object', async () => {
    await create('bad-policy');
    for (const r of [
      await req(server, 'DELETE', `${CMS}/bad-policy?propagationPolicy=Sideways`),
      await req(server, 'DELETE', `${CMS}/bad-policy`, { body: { propagationPolicy: 'Sideways' } }),
    ]) {
      assert.equal(r.status, 422);
      assert.equal(r.json.reason, 'Invalid');
      assert.equal(r.json.message, `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: ${unsupported}`);
      assert.deepEqual(r.json.details, { group: 'meta.k8s.io', kind: 'DeleteOptions', causes: [{ reason: 'FieldValueNotSupported', message: unsupported, field: 'propagationPolicy' }] });
    }
    assert.ok(await exists('bad-policy'), 'a refused delete leaves the object');
    const empty = await req(server, 'DELETE', `${CMS}/bad-policy?propagationPolicy=`);
    assert.equal(empty.status, 422, 'an empty propagationPolicy is a value, and not a supported one');
  });

  it('refuses orphanDependents together with propagationPolicy, even orphanDependents=false, before the unsupported policy', async () => {
    await create('orphan-both');
    const body = await req(server, 'DELETE', `${CMS}/orphan-both`, { body: { orphanDependents: false, propagationPolicy: 'Background' } });
    assert.equal(body.status, 422);
    assert.deepEqual(body.json.details.causes, [{ reason: 'FieldValueInvalid', message: both('Background'), field: 'propagationPolicy' }]);
    const query = await req(server, 'DELETE', `${CMS}/orphan-both?orphanDependents=true&propagationPolicy=Sideways&dryRun=Bogus`);
    assert.equal(query.status, 422);
    assert.deepEqual(query.json.details.causes.map((c: { message: string }) => c.message), [
      both('Sideways'),
      unsupported,
      'Unsupported value: ["Bogus"]: supported values: "All"',
    ]);
    assert.ok(await exists('orphan-both'));
  });

  it('checks the options before looking the object up, on collections too', async () => {
    const missing = await req(server, 'DELETE', `${CMS}/never-there?propagationPolicy=Sideways`);
    assert.equal(missing.status, 422, 'not 404');
    await create('in-collection');
    const collection = await req(server, 'DELETE', `${CMS}?propagationPolicy=Sideways`);
    assert.equal(collection.status, 422);
    assert.ok(await exists('in-collection'));
  });

  it('takes valid options, null fields and a negative gracePeriodSeconds as kube does', async () => {
    await create('grace-negative');
    const r = await req(server, 'DELETE', `${CMS}/grace-negative?gracePeriodSeconds=-1`);
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'Success');
    await create('nulls');
    const nulls = await req(server, 'DELETE', `${CMS}/nulls`, { body: { orphanDependents: null, propagationPolicy: 'Background', preconditions: { uid: null } } });
    assert.equal(nulls.status, 200, 'null is unset, so orphanDependents does not clash and no uid is required');
    await create('body-wins');
    const bodyWins = await req(server, 'DELETE', `${CMS}/body-wins?propagationPolicy=Sideways`, { body: { kind: 'DeleteOptions', apiVersion: 'v1' } });
    assert.equal(bodyWins.status, 200, 'with a body, the query options are not read');
  });

  it('answers 400 for a gracePeriodSeconds that is not an int64, and for body fields of the wrong type', async () => {
    await create('typed');
    const syntax = await req(server, 'DELETE', `${CMS}/typed?gracePeriodSeconds=abc`);
    assert.equal(syntax.status, 400);
    assert.equal(syntax.json.message, 'strconv.ParseInt: parsing "abc": invalid syntax');
    const range = await req(server, 'DELETE', `${CMS}/typed?gracePeriodSeconds=99999999999999999999`);
    assert.equal(range.json.message, 'strconv.ParseInt: parsing "99999999999999999999": value out of range');
    for (const [body, field] of [
      [{ gracePeriodSeconds: 'x' }, 'gracePeriodSeconds'],
      [{ gracePeriodSeconds: 1.5 }, 'gracePeriodSeconds'],
      [{ propagationPolicy: 5 }, 'propagationPolicy'],
      [{ orphanDependents: 'yes' }, 'orphanDependents'],
      [{ preconditions: { uid: 5 } }, 'preconditions.uid'],
    ] as const) {
      const r = await req(server, 'DELETE', `${CMS}/typed`, { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.reason, 'BadRequest');
      assert.match(r.json.message, new RegExp(`\\b${field.replace('.', '\\.')} must be`));
    }
    assert.ok(await exists('typed'));
  });
});
