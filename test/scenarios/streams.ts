// Many watches over HTTP/2.
import assert from 'node:assert/strict';
import type { ReflectorError } from '../../src/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { newManager, newNamespace, podReferencing, recordingClient, secretKind, within, writer } from './fixtures.ts';
import type { Scenario } from './scenario.ts';

const watched = 250;

const manyStreams: Scenario = {
  name: `watching secrets: ${watched} watches share 3 HTTP/2 connections (100 streams each, the server's limit)`,
  timeoutMs: 120_000,
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'streams');
    const names = Array.from({ length: watched }, (_, i) => `s-${i}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((name) => secretKind.create(core, ns, name, name)));
    }
    const client = recordingClient(server);
    const controller = new AbortController();
    const errors: ReflectorError[] = [];
    // The real clock, so that a list that fails is retried after the reflector's
    // backoff: against kube-apiserver a few of 250 lists fail with "Premature
    // close" (the client reads HTTP/2 bodies with for-await, which Node >= 24.20
    // breaks when the stream already closed: nodejs/node#65677).
    const manager = newManager(secretKind, 'watching', client, { signal: controller.signal, syncTimeoutMs: 30_000, onError: (e) => errors.push(e) });
    const pod = podReferencing(secretKind, ns, 'web', names);
    try {
      manager.registerPod(pod);
      const objects = await within(60_000, `${watched} gets`, Promise.all(names.map((name) => manager.get(ns, name))));
      if (errors.length > 0) console.log(`# ${server.name}, ${watched} watches: recovered from ${errors.length} errors, the first: ${errors[0]?.message ?? ''}`);
      assert.deepEqual(
        objects.map((o) => secretKind.value(o)),
        names,
      );
      await eventually(() => {
        const stats = client.stats();
        assert.equal(stats.streams, watched, 'one watch stream per secret');
        assert.equal(stats.http2Connections, 3, 'ceil(250 / 100) connections');
        assert.equal(stats.http1Sockets, 0);
      });
      manager.unregisterPod(pod);
      await eventually(() => assert.equal(client.stats().streams, 0));
    } finally {
      controller.abort();
      await client.close();
    }
  },
};

export const streamScenarios: Scenario[] = [manyStreams];
