// The defaults kube-apiserver's Pod defaulting (not its admission plugins)
// sets on every write: they are part of what the writer sent as far as
// managedFields are concerned (`k:{"containerPort":80,"protocol":"TCP"}`).

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The records of a list field (anything else is left for validation to refuse). */
function records(list: unknown): Json[] {
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/** kube's pull policy: Always for an image without a tag or tagged `latest`, else IfNotPresent (a digest counts as pinned). */
function pullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  const tag = colon < 0 ? '' : lastPart.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultFieldRef(holder: unknown): void {
  if (isRecord(holder) && isRecord(holder['fieldRef'])) holder['fieldRef']['apiVersion'] ??= 'v1';
}

function defaultProbe(probe: unknown): void {
  if (!isRecord(probe)) return;
  probe['timeoutSeconds'] ??= 1;
  probe['periodSeconds'] ??= 10;
  probe['successThreshold'] ??= 1;
  probe['failureThreshold'] ??= 3;
  if (isRecord(probe['httpGet'])) probe['httpGet']['scheme'] ??= 'HTTP';
}

function defaultContainer(c: Json): void {
  for (const port of records(c['ports'])) port['protocol'] ??= 'TCP';
  for (const env of records(c['env'])) defaultFieldRef(env['valueFrom']);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[probe]);
  const resources = isRecord(c['resources']) ? c['resources'] : {};
  // Requests default to the limits of the same resources.
  const limits = resources['limits'];
  if (isRecord(limits) && Object.keys(limits).length > 0) {
    resources['requests'] = { ...limits, ...(isRecord(resources['requests']) ? resources['requests'] : {}) };
  }
  c['resources'] = resources;
  c['terminationMessagePath'] ??= '/dev/termination-log';
  c['terminationMessagePolicy'] ??= 'File';
  if (typeof c['image'] === 'string' && c['image'] !== '') c['imagePullPolicy'] ??= pullPolicy(c['image']);
}

function defaultVolume(v: Json): void {
  for (const source of ['secret', 'configMap', 'projected', 'downwardAPI']) {
    const s = v[source];
    if (isRecord(s)) s['defaultMode'] ??= 420;
  }
  const downward = v['downwardAPI'];
  if (isRecord(downward)) for (const item of records(downward['items'])) defaultFieldRef(item);
  if (isRecord(v['hostPath'])) v['hostPath']['type'] ??= '';
}

/**
 * Sets kube's Pod defaults on `spec` in place: per container (init
 * containers too) the port protocol, pull policy, termination message path
 * and policy, resources (requests from limits), probe timings and fieldRef
 * API versions; per volume the defaultMode and hostPath type; and the spec's
 * restartPolicy, dnsPolicy, schedulerName, terminationGracePeriodSeconds,
 * securityContext and enableServiceLinks. What kube's admission adds
 * (service account, its token volume, tolerations, priority) is not set.
 */
export function defaultPodSpec(spec: Json): void {
  for (const list of ['initContainers', 'containers']) for (const c of records(spec[list])) defaultContainer(c);
  for (const v of records(spec['volumes'])) defaultVolume(v);
  spec['restartPolicy'] ??= 'Always';
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['securityContext'] ??= {};
  spec['enableServiceLinks'] ??= true;
}
