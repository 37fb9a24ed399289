// `kubectl get -w` reads a watch of meta.k8s.io/v1 Tables: kube-apiserver
// v1.37.2 sends the column definitions with the first event only and null
// after it, and declares count columns (ConfigMap and Secret Data,
// ServiceAccount Secrets) as strings (found by the differential corpus).
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { h2session, req } from './helpers.ts';

const CMS = '/api/v1/namespaces/default/configmaps';
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** Opens a Table watch and answers its first `n` events. */
async function tableEvents(server: ApiServer, path: string, n: number, whileOpen: () => Promise<void>): Promise<any[]> {
  const session = await h2session(server);
  try {
    const stream = session.request({ ':path': path, authorization: `Bearer ${server.token}`, accept: tableAccept });
    stream.setEncoding('utf8');
    const events: any[] = [];
    let partial = '';
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: string) => {
        partial += chunk;
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          events.push(JSON.parse(partial.slice(0, nl)));
          partial = partial.slice(nl + 1);
        }
        if (events.length >= n) resolve();
      });
      stream.once('close', () => reject(new Error(`watch ended after ${events.length} events`)));
    });
    await new Promise((resolve) => stream.once('response', resolve));
    await whileOpen();
    await done;
    stream.close();
    return events;
  } finally {
    session.close();
  }
}

describe('apiserver Table watches', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  it('sends column definitions with the first event only, for initial and live events alike', async () => {
    assert.equal((await req(server, 'POST', CMS, { body: { metadata: { name: 't0' }, data: { a: 'b' } } })).status, 201);
    const events = await tableEvents(server, `${CMS}?watch=true`, 3, async () => {
      for (const name of ['t1', 't2']) assert.equal((await req(server, 'POST', CMS, { body: { metadata: { name } } })).status, 201);
    });
    assert.deepEqual(events.map((e) => e.object.kind), ['Table', 'Table', 'Table']);
    assert.deepEqual(events[0].object.columnDefinitions.map((c: { name: string; type: string }) => `${c.name}:${c.type}`), ['Name:string', 'Data:string', 'Age:string']);
    assert.equal(events[1].object.columnDefinitions, null);
    assert.equal(events[2].object.columnDefinitions, null);
    assert.deepEqual(events.map((e) => e.object.rows[0].cells[0]), ['t0', 't1', 't2']);
  });

  it('gives each watcher its own first event with columns, though both render the same event', async () => {
    const path = `${CMS}?watch=true&fieldSelector=metadata.name%3Dt3`;
    let inner: any[] = [];
    const outer = await tableEvents(server, path, 1, async () => {
      inner = await tableEvents(server, path, 1, async () => {
        assert.equal((await req(server, 'POST', CMS, { body: { metadata: { name: 't3' } } })).status, 201);
      });
    });
    assert.ok(Array.isArray(outer[0].object.columnDefinitions));
    assert.ok(Array.isArray(inner[0].object.columnDefinitions));
  });

  it("counts a pod's readiness gates that are True, as kube's Readiness Gates column", async () => {
    const pod = {
      metadata: { name: 'gated' },
      spec: { containers: [{ name: 'c', image: 'i' }], readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] },
      status: { conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }], nominatedNodeName: 'n2' },
    };
    assert.equal((await req(server, 'POST', '/api/v1/namespaces/default/pods', { body: pod })).status, 201);
    const r = await req(server, 'GET', '/api/v1/namespaces/default/pods/gated', { headers: { accept: tableAccept } });
    assert.deepEqual(r.json.rows[0].cells.slice(7), ['n2', '1/2']);
  });

  it('lists ServiceAccounts with Name and Age only, as kube-apiserver v1.37', async () => {
    const r = await req(server, 'GET', '/api/v1/namespaces/default/serviceaccounts', { headers: { accept: tableAccept } });
    assert.deepEqual(r.json.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Age']);
  });

  it('lists with the same column types', async () => {
    const r = await req(server, 'GET', '/api/v1/namespaces/default/secrets', { headers: { accept: tableAccept } });
    assert.deepEqual(r.json.columnDefinitions.map((c: { name: string; type: string }) => `${c.name}:${c.type}`), ['Name:string', 'Type:string', 'Data:string', 'Age:string']);
  });
});
