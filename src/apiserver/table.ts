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

/** kube's READINESS GATES cell: `<none>`, or how many of the pod's gates have a True condition, `n/m`. */
function readinessGates(o: KObject): string {
  const gates = arr(rec(o['spec'])['readinessGates']).map((g) => str(rec(g)['conditionType']));
  if (gates.length === 0) return '<none>';
  const conditions = arr(rec(o['status'])['conditions']).map(rec);
  const ready = gates.filter((t) => conditions.some((c) => c['type'] === t && c['status'] === 'True')).length;
  return `${ready}/${gates.length}`;
}

const columns: Record<string, Column[]> = {
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
  const cols = columns[info.name] ?? [name, age];
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
