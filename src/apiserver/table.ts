import type { KObject, ResourceInfo } from './resources.ts';

/** Whether an Accept header asks for a meta.k8s.io/v1 Table (what `kubectl get` prints from). */
export function wantsTable(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((s) => s.trim().toLowerCase());
    return params[0] === 'application/json' && params.includes('as=table') && params.includes('v=v1') && params.includes('g=meta.k8s.io');
  });
}

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  description: string;
  priority: number;
  cell: (o: KObject, nowMs: number) => string | number;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

/** kube's HumanDuration: 45s, 5m30s, 3h, 2d5h, 90d, 2y10d. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  if (y < 8) return `${y}y${Math.floor(h / 24) % 365}d`;
  return `${y}y`;
}

const name: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o) => o.metadata.name ?? '' };
const age: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (o, now) => {
    const created = Date.parse(String(o.metadata.creationTimestamp ?? ''));
    return Number.isNaN(created) ? '<unknown>' : humanDuration(now - created);
  },
};
const dataCount = (o: KObject): number => Object.keys(rec(o['data'])).length + Object.keys(rec(o['binaryData'])).length;

function podStatus(o: KObject): string {
  if (o.metadata.deletionTimestamp !== undefined) return 'Terminating';
  const status = rec(o['status']);
  let reason = str(status['reason'], str(status['phase'], 'Unknown'));
  for (const cs of arr(status['containerStatuses'])) {
    const state = rec(rec(cs)['state']);
    const waiting = str(rec(state['waiting'])['reason']);
    const terminated = str(rec(state['terminated'])['reason']);
    if (waiting !== '') reason = waiting;
    else if (terminated !== '') reason = terminated;
  }
  return reason;
}

/** kube's age of a timestamp for a cell: `<unknown>` when unset or unreadable. */
function since(value: unknown, now: number): string {
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** kube's event printer: first and last seen fall back to eventTime, a series overrides the last and the count. */
function eventTimes(o: KObject, now: number): { first: string; last: string; count: number } {
  const first = o['firstTimestamp'] ? since(o['firstTimestamp'], now) : since(o['eventTime'], now);
  let last = o['lastTimestamp'] ? since(o['lastTimestamp'], now) : first;
  let count = typeof o['count'] === 'number' && o['count'] > 0 ? o['count'] : 1;
  const series = rec(o['series']);
  if (o['series'] !== undefined && o['series'] !== null) {
    last = since(series['lastObservedTime'], now);
    count = typeof series['count'] === 'number' ? series['count'] : 0;
  }
  return { first, last, count };
}

function eventSource(o: KObject): string {
  const source = rec(o['source']);
  const [who, where] = str(source['component']) !== '' ? [str(source['component']), str(source['host'])] : [str(o['reportingComponent']), str(o['reportingInstance'])];
  return where === '' ? who : `${who}, ${where}`;
}

function serviceExternalIp(o: KObject): string {
  const spec = rec(o['spec']);
  const external = arr(spec['externalIPs']).map((v) => str(v));
  switch (spec['type']) {
    case 'ExternalName':
      return str(spec['externalName']);
    case 'LoadBalancer': {
      const ingress = arr(rec(rec(o['status'])['loadBalancer'])['ingress']).map(rec).map((i) => str(i['ip'], str(i['hostname'])));
      const all = [...ingress, ...external].filter((v) => v !== '');
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    default:
      return external.length > 0 ? external.join(',') : '<none>';
  }
}

function servicePorts(o: KObject): string {
  const ports = arr(rec(o['spec'])['ports']).map(rec);
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${String(p['port'])}${typeof p['nodePort'] === 'number' && p['nodePort'] > 0 ? `:${p['nodePort']}` : ''}/${str(p['protocol'])}`).join(',');
}

const text = (name: string, description: string, cell: Column['cell'], priority = 0): Column => ({ name, type: 'string', description, priority, cell });

/** kube's READINESS GATES cell: `<none>`, or how many of the pod's gates have a True condition, `n/m`. */
function readinessGates(o: KObject): string {
  const gates = arr(rec(o['spec'])['readinessGates']).map((g) => str(rec(g)['conditionType']));
  if (gates.length === 0) return '<none>';
  const conditions = arr(rec(o['status'])['conditions']).map(rec);
  const ready = gates.filter((t) => conditions.some((c) => c['type'] === t && c['status'] === 'True')).length;
  return `${ready}/${gates.length}`;
}

const columns: Record<string, Column[]> = {
  events: [
    text('Last Seen', 'The time at which the most recent occurrence of this event was recorded.', (o, now) => eventTimes(o, now).last),
    text('Type', 'Type of this event (Normal, Warning), new types could be added in the future', (o) => str(o['type'])),
    text('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.', (o) => str(o['reason'])),
    text('Object', 'The object that this event is about.', (o) => {
      const involved = rec(o['involvedObject']);
      const kind = str(involved['kind']).toLowerCase();
      return str(involved['name']) === '' ? kind : `${kind}/${str(involved['name'])}`;
    }),
    text('Subobject', 'If referring to a piece of an object instead of an entire object, the field path of that piece.', (o) => str(rec(o['involvedObject'])['fieldPath']), 1),
    text('Source', 'The component reporting this event. Should be a short machine understandable string.', eventSource, 1),
    text('Message', 'A human-readable description of the status of this operation.', (o) => str(o['message']).trim()),
    text('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', (o, now) => eventTimes(o, now).first, 1),
    text('Count', 'The number of times this event has occurred.', (o, now) => eventTimes(o, now).count, 1),
    { ...name, priority: 1 },
  ],
  services: [
    name,
    text('Type', 'type determines how the Service is exposed.', (o) => str(rec(o['spec'])['type'])),
    text('Cluster-IP', 'clusterIP is the IP address of the service.', (o) => str(rec(o['spec'])['clusterIP'], '<none>') || '<none>'),
    text('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', serviceExternalIp),
    text('Port(s)', 'The list of ports that are exposed by this service.', servicePorts),
    age,
    text('Selector', 'Route service traffic to pods with label keys and values matching this selector.', (o) => {
      const selector = Object.entries(rec(rec(o['spec'])['selector'])).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return selector.length === 0 ? '<none>' : selector.map(([k, v]) => `${k}=${str(v)}`).join(',');
    }, 1),
  ],
  namespaces: [name, { name: 'Status', type: 'string', description: 'The status of the namespace', priority: 0, cell: (o) => str(rec(o['status'])['phase']) }, age],
  nodes: [
    name,
    {
      name: 'Status', type: 'string', description: 'The status of the node', priority: 0,
      cell: (o) => {
        const ready = arr(rec(o['status'])['conditions']).map(rec).find((c) => c['type'] === 'Ready');
        const text = ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : 'NotReady';
        return rec(o['spec'])['unschedulable'] === true ? `${text},SchedulingDisabled` : text;
      },
    },
    {
      name: 'Roles', type: 'string', description: 'The roles of the node', priority: 0,
      cell: (o) => Object.keys(o.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice(24)).join(',') || '<none>',
    },
    age,
    { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.', priority: 0, cell: (o) => str(rec(rec(o['status'])['nodeInfo'])['kubeletVersion']) },
  ],
  pods: [
    name,
    {
      name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0,
      cell: (o) => {
        const statuses = arr(rec(o['status'])['containerStatuses']).map(rec);
        return `${statuses.filter((s) => s['ready'] === true).length}/${arr(rec(o['spec'])['containers']).length}`;
      },
    },
    { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', priority: 0, cell: podStatus },
    {
      name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted.', priority: 0,
      cell: (o) => String(arr(rec(o['status'])['containerStatuses']).map(rec).reduce((n, s) => n + (typeof s['restartCount'] === 'number' ? s['restartCount'] : 0), 0)),
    },
    age,
    { name: 'IP', type: 'string', description: 'The IP address assigned to the pod', priority: 1, cell: (o) => str(rec(o['status'])['podIP'], '<none>') },
    { name: 'Node', type: 'string', description: 'The node the pod is bound to', priority: 1, cell: (o) => str(rec(o['spec'])['nodeName'], '<none>') },
    { name: 'Nominated Node', type: 'string', description: 'The node the scheduler nominated for the pod', priority: 1, cell: (o) => str(rec(o['status'])['nominatedNodeName'], '<none>') || '<none>' },
    { name: 'Readiness Gates', type: 'string', description: 'The readiness gates that are true, of all the pod has', priority: 1, cell: readinessGates },
  ],
  secrets: [name, { name: 'Type', type: 'string', description: 'The type of the secret', priority: 0, cell: (o) => str(o['type']) }, { name: 'Data', type: 'string', description: 'The number of entries in the data', priority: 0, cell: dataCount }, age],
  configmaps: [name, { name: 'Data', type: 'string', description: 'The number of entries in the data', priority: 0, cell: dataCount }, age],
  // kube-apiserver v1.37 prints no Secrets column for ServiceAccounts any more.
  serviceaccounts: [name, age],
};

/**
 * A meta.k8s.io/v1 Table of objects, the way kube-apiserver answers
 * `kubectl get`: kube's columns per kind, each row carrying the object's
 * metadata as a PartialObjectMetadata.
 */
export function toTable(info: ResourceInfo, objects: KObject[], listMeta: Rec, nowMs: number, withColumns = true): Rec {
  // A custom resource has kube's default CRD columns (its Age is typed `date`); a view has its stored resource's.
  const cols = info.custom === true ? [name, { ...age, type: 'date' }] : (columns[info.name] ?? [name, age]);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    // A watch sends the column definitions with its first event only (null after), as kube-apiserver does.
    columnDefinitions: withColumns ? cols.map(({ cell: _cell, ...def }) => ({ format: '', ...def })) : null,
    rows: objects.map((o) => ({
      cells: cols.map((c) => c.cell(o, nowMs)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
