// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

// Every manager asserted here was first taken from kube-apiserver v1.37.2
// (the differential corpus sends its writes without a User-Agent).
const CMS = '/api/v1/namespaces/default/configmaps';

describe('the manager a write records when no fieldManager is sent', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  async function managerOf(name: string, query: string, userAgent: string | undefined): Promise<unknown> {
    const headers: Record<string, string> = userAgent === undefined ? {} : { 'user-agent': userAgent };
    const made = await req(server, 'POST', `${CMS}${query}`, { body: { metadata: { name }, data: { k: 'v' } }, headers });
    assert.equal(made.status, 201, made.text);
    return made.json.metadata.managedFields[0].manager;
  }

  it('is "unknown" when neither fieldManager nor the User-Agent names one', async () => {
    assert.equal(await managerOf('none', '', undefined), 'unknown');
    assert.equal(await managerOf('slash', '', '/1.0'), 'unknown');
    assert.equal(await managerOf('blank', '', ' '), 'unknown');
    assert.equal(await managerOf('empty-param', '?fieldManager=', undefined), 'unknown');
  });

  it('is the User-Agent up to its first "/", without non-printable characters, read as UTF-8', async () => {
    assert.equal(await managerOf('kubectl', '', 'kubectl/v1.37.2 (linux/amd64)'), 'kubectl');
    assert.equal(await managerOf('tab', '', 'a\tb/1'), 'ab');
    assert.equal(await managerOf('utf8', '', 'caf\u00e9\u0085x/1'), 'caf\u00e9x');
    assert.equal(await managerOf('long', '', 'a'.repeat(200)), 'a'.repeat(128));
  });

  it('is fieldManager when sent', async () => {
    assert.equal(await managerOf('sent', '?fieldManager=mine', 'kubectl/v1'), 'mine');
  });
});
