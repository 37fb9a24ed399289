// The pods bound to one node, listed and watched across all namespaces
// (GET /api/v1/pods?fieldSelector=spec.nodeName=NAME), in the shapes the
// Reflector takes. Our Client only builds namespaced paths, so these two
// requests are made here with node:http(s) and the KubeConfig's TLS settings
// and credentials (client-node's applyToHTTPSOptions, read again per request).
import * as http from 'node:http';
import * as https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig, KubernetesListObject, KubernetesObject, V1Status } from '@kubernetes/client-node';
import type { ReflectorListFunc, ReflectorWatchFunc } from '../cache/reflector.ts';
import { listQuery } from '../client/query.ts';
import type { ListOptions, WatchEvent } from '../manager/types.ts';
import { StatusError } from '../util/status-error.ts';

/** What the Reflector needs to keep a node's pods. */
export interface PodSource {
  list: ReflectorListFunc;
  watch: ReflectorWatchFunc;
}

export interface PodSourceOptions {
  /** Called once per request sent, for metrics. */
  onRequest?: (verb: 'list' | 'watch') => void;
  /** A list must be answered, and a watch must send something (bookmarks count), within this time. @default 60_000 / 330_000 */
  listTimeoutMs?: number;
  watchIdleTimeoutMs?: number;
}

const maxErrorBody = 64 * 1024;

/** Lists and watches the pods whose spec.nodeName is `nodeName`, in every namespace. */
export function nodePodSource(kc: KubeConfig, nodeName: string, options: PodSourceOptions = {}): PodSource {
  const fieldSelector = `spec.nodeName=${nodeName}`;
  const listTimeoutMs = options.listTimeoutMs ?? 60_000;
  const watchIdleTimeoutMs = options.watchIdleTimeoutMs ?? 330_000;
  return {
    async list(listOptions: ListOptions, signal: AbortSignal): Promise<KubernetesListObject<KubernetesObject>> {
      options.onRequest?.('list');
      const response = await open(kc, `/api/v1/pods${listQuery({ ...listOptions, fieldSelector }, false)}`, signal, listTimeoutMs);
      const body = await readAll(response, Infinity);
      let list: unknown;
      try {
        list = JSON.parse(body);
      } catch {
        throw new Error("the server's answer is not JSON");
      }
      if (typeof list !== 'object' || list === null || !Array.isArray((list as { items?: unknown }).items)) {
        throw new Error("the server's answer has no items array");
      }
      return list as KubernetesListObject<KubernetesObject>;
    },
    async watch(watchOptions: ListOptions, signal: AbortSignal): Promise<AsyncIterable<WatchEvent>> {
      options.onRequest?.('watch');
      const response = await open(kc, `/api/v1/pods${listQuery({ ...watchOptions, fieldSelector }, true)}`, signal, watchIdleTimeoutMs);
      return events(response);
    },
  };
}

/**
 * Sends a GET and answers the 200 response; any other status is thrown as a
 * StatusError. Messages say what failed, not which request: the Reflector
 * names the request ("pods on node "x": list failed: ...").
 */
async function open(kc: KubeConfig, path: string, signal: AbortSignal, idleTimeoutMs: number): Promise<http.IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  const requestOptions: https.RequestOptions = { headers: { accept: 'application/json', 'user-agent': 'kom-agent/0.1.0' } };
  await kc.applyToHTTPSOptions(requestOptions);
  const send = url.protocol === 'http:' ? http.request : https.request;
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = send(url, { ...requestOptions, method: 'GET', signal }, resolve);
    request.setTimeout(idleTimeoutMs, () => {
      request.destroy(new Error(`no data from ${url.host} for ${idleTimeoutMs / 1_000} s`));
    });
    request.on('error', reject);
    request.end();
  });
  if (response.statusCode === 200) return response;
  const body = await readAll(response, maxErrorBody).catch(() => '');
  throw statusError(response.statusCode ?? 0, body);
}

function statusError(code: number, body: string): StatusError {
  try {
    const status = JSON.parse(body) as V1Status;
    if (status.kind === 'Status') return new StatusError({ ...status, code });
  } catch {
    // Not a Status: fall through.
  }
  return StatusError.of(code, '', `the server answered HTTP ${code} without a Status`);
}

async function readAll(response: http.IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The watch events of a response, one JSON object a line; ends when the server ends the watch. */
async function* events(response: http.IncomingMessage): AsyncGenerator<WatchEvent> {
  const lines = createInterface({ input: response, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        throw new Error('a watch event is not JSON');
      }
      yield event as WatchEvent;
    }
    // readline ends quietly when the response breaks off: tell that apart from a clean end.
    if (!response.complete) throw new Error('the connection broke off');
  } finally {
    lines.close();
    response.destroy();
  }
}
