// The pods bound to one node, listed and watched across all namespaces
// (GET /api/v1/pods?fieldSelector=spec.nodeName=NAME) through the client, in
// the shapes the Reflector takes.
import type { ReflectorListFunc, ReflectorWatchFunc } from '../reflector/reflector.ts';
import type { Client } from '../client/types.ts';
import { escapeFieldSelectorValue } from '../util/object-names.ts';

/** What the Reflector needs to keep a node's pods. */
export interface PodSource {
  list: ReflectorListFunc;
  watch: ReflectorWatchFunc;
}

/** Lists and watches the pods whose spec.nodeName is `nodeName`, in every namespace. */
export function nodePodSource(client: Client, nodeName: string): PodSource {
  const pods = client.resource('pods');
  const fieldSelector = `spec.nodeName=${escapeFieldSelectorValue(nodeName)}`;
  return {
    list: (options, signal) => pods.listObject('', { ...options, fieldSelector }, signal),
    watch: (options, signal) => pods.watchObject('', { ...options, fieldSelector }, signal),
  };
}
