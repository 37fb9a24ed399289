import { randomInt } from 'node:crypto';
import type { KObject } from './resources.ts';
import { invalid } from './status.ts';
import type { FieldError } from './status.ts';
import type { Storage } from './storage.ts';

/**
 * core/v1 Service admission as kube-apiserver applies it for the common
 * cases: defaults (type, sessionAffinity, port protocol and targetPort, IP
 * family fields, traffic policies), ClusterIP allocation from kube's default
 * service range 10.0.0.0/24 (10.0.0.1 is the `kubernetes` Service's), NodePort
 * allocation from 30000-32767, validation of type, ports and cluster IPs, and
 * immutable cluster IPs on update.
 */

type Rec = Record<string, unknown>;

const RANGE_PREFIX = '10.0.0.';
const RANGE_SIZE = 256;
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;
const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const protocols = ['SCTP', 'TCP', 'UDP'];

function rec(v: unknown): Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {};
}

function portsOf(spec: Rec): Rec[] {
  return Array.isArray(spec['ports']) ? spec['ports'].map((p) => ({ ...rec(p) })) : [];
}

/** The cluster IPs and node ports other services hold. */
function inUse(storage: Storage, self: KObject): { ips: Set<string>; nodePorts: Set<number> } {
  const ips = new Set<string>();
  const nodePorts = new Set<number>();
  for (const svc of storage.list('services', undefined)) {
    if (svc.metadata.namespace === self.metadata.namespace && svc.metadata.name === self.metadata.name) continue;
    const spec = rec(svc['spec']);
    if (typeof spec['clusterIP'] === 'string') ips.add(spec['clusterIP']);
    for (const p of portsOf(spec)) if (typeof p['nodePort'] === 'number') nodePorts.add(p['nodePort']);
  }
  return { ips, nodePorts };
}

/** A free address of the range, picked at random as kube's allocator does; undefined when all are taken. */
function allocateIp(used: Set<string>): string | undefined {
  // .0 is the network address and .255 the broadcast one; neither is handed out.
  const free: string[] = [];
  for (let i = 1; i < RANGE_SIZE - 1; i++) if (!used.has(`${RANGE_PREFIX}${i}`)) free.push(`${RANGE_PREFIX}${i}`);
  return free.length === 0 ? undefined : free[randomInt(free.length)];
}

function allocateNodePort(used: Set<number>): number | undefined {
  for (let tries = 0; tries < 64; tries++) {
    const port = NODE_PORT_MIN + randomInt(NODE_PORT_MAX - NODE_PORT_MIN + 1);
    if (!used.has(port)) return port;
  }
  for (let port = NODE_PORT_MIN; port <= NODE_PORT_MAX; port++) if (!used.has(port)) return port;
  return undefined;
}

function inRange(ip: string): boolean {
  const m = /^10\.0\.0\.(\d{1,3})$/.exec(ip);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 254 && String(Number(m[1])) === m[1];
}

const validPort = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
const portDetail = 'must be between 1 and 65535, inclusive';

function validatePorts(spec: Rec, errors: FieldError[]): void {
  const ports = portsOf(spec);
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    const name = typeof p['name'] === 'string' ? p['name'] : '';
    if (ports.length > 1 && name === '') errors.push({ field: `${at}.name`, type: 'Required', detail: '' });
    else if (name !== '' && names.has(name)) errors.push({ field: `${at}.name`, type: 'Duplicate', detail: '', value: name });
    names.add(name);
    if (!validPort(p['port'])) errors.push({ field: `${at}.port`, type: 'Invalid', value: p['port'] ?? 0, detail: portDetail });
    if (!protocols.includes(String(p['protocol']))) errors.push({ field: `${at}.protocol`, type: 'NotSupported', value: p['protocol'], detail: 'supported values: "SCTP", "TCP", "UDP"' });
    const target = p['targetPort'];
    if (typeof target === 'number' && !validPort(target)) errors.push({ field: `${at}.targetPort`, type: 'Invalid', value: target, detail: portDetail });
    else if (typeof target === 'string' && !/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(target)) {
      errors.push({ field: `${at}.targetPort`, type: 'Invalid', value: target, detail: 'must be a valid port name (IANA_SVC_NAME): at most 15 lowercase letters, digits and dashes' });
    }
    const key = `${String(p['port'])}/${String(p['protocol'])}`;
    if (seen.has(key)) errors.push({ field: at, type: 'Duplicate', detail: '', value: { port: p['port'], protocol: p['protocol'] } });
    seen.add(key);
  });
}

/** Fills kube's defaults into a Service's spec (in kube's field order) and status. */
function withDefaults(obj: KObject): Rec {
  const spec = rec(obj['spec']);
  const type = spec['type'] === undefined || spec['type'] === '' ? 'ClusterIP' : spec['type'];
  const ports = portsOf(spec).map((p) => {
    const protocol = p['protocol'] === undefined || p['protocol'] === '' ? 'TCP' : p['protocol'];
    const targetPort = p['targetPort'] === undefined || p['targetPort'] === 0 || p['targetPort'] === '' ? p['port'] : p['targetPort'];
    const { name, port, nodePort, ...rest } = p;
    return { ...(name === undefined ? {} : { name }), protocol, port, targetPort, ...(nodePort === undefined ? {} : { nodePort }), ...rest };
  });
  const out: Rec = { ...(ports.length > 0 || spec['ports'] !== undefined ? { ports } : {}) };
  for (const [k, v] of Object.entries(spec)) if (!(k in out) && k !== 'type') out[k] = v;
  out['type'] = type;
  out['sessionAffinity'] ??= 'None';
  if (type === 'NodePort' || type === 'LoadBalancer') out['externalTrafficPolicy'] ??= 'Cluster';
  if (type !== 'ExternalName') {
    out['ipFamilies'] ??= ['IPv4'];
    out['ipFamilyPolicy'] ??= 'SingleStack';
    if (type === 'LoadBalancer') out['allocateLoadBalancerNodePorts'] ??= true;
    out['internalTrafficPolicy'] ??= 'Cluster';
  }
  return out;
}

/**
 * Defaults, allocates and validates a Service being created (`old`
 * undefined) or updated, in place; a 422 like kube's for what it refuses.
 */
export function admitService(obj: KObject, old: KObject | undefined, storage: Storage): void {
  const name = obj.metadata.name ?? '';
  const oldSpec = old === undefined ? undefined : rec(old['spec']);
  const spec = withDefaults(obj);
  const errors: FieldError[] = [];
  const type = String(spec['type']);
  if (!types.includes(type)) errors.push({ field: 'spec.type', type: 'NotSupported', value: spec['type'], detail: 'supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' });
  // An update that leaves the allocated IPs out (PUT of an edited manifest, a merge patch with null) keeps them, as kube does.
  if (oldSpec !== undefined && (spec['clusterIP'] === undefined || spec['clusterIP'] === '') && typeof oldSpec['clusterIP'] === 'string' && type !== 'ExternalName') {
    spec['clusterIP'] = oldSpec['clusterIP'];
    spec['clusterIPs'] = oldSpec['clusterIPs'];
  }
  const headless = spec['clusterIP'] === 'None';
  if (type === 'ExternalName') {
    if (typeof spec['externalName'] !== 'string' || spec['externalName'] === '') errors.push({ field: 'spec.externalName', type: 'Required', detail: '' });
  } else if (portsOf(spec).length === 0 && !headless) errors.push({ field: 'spec.ports', type: 'Required', detail: '' });
  validatePorts(spec, errors);
  if (errors.length > 0) throw invalid('Service', name, errors);
  const used = inUse(storage, obj);
  if (type !== 'ExternalName' && oldSpec !== undefined && typeof oldSpec['clusterIP'] === 'string' && spec['clusterIP'] !== oldSpec['clusterIP']) {
    throw invalid('Service', name, [{ field: 'spec.clusterIPs[0]', type: 'Invalid', value: [spec['clusterIP']], detail: 'may not change once set' }]);
  }
  const unset = spec['clusterIP'] === undefined || spec['clusterIP'] === '';
  if (type !== 'ExternalName' && !headless && (oldSpec === undefined || unset || spec['clusterIP'] !== oldSpec['clusterIP'])) {
    const wanted = spec['clusterIP'];
    let ip: string | undefined;
    if (typeof wanted === 'string' && wanted !== '') {
      const why = !inRange(wanted) ? 'the provided network does not match the current range' : used.ips.has(wanted) ? 'provided IP is already allocated' : undefined;
      if (why !== undefined) throw invalid('Service', name, [{ field: 'spec.clusterIPs', type: 'Invalid', value: [wanted], detail: `failed to allocate IP ${wanted}: ${why}` }]);
      ip = wanted;
    } else {
      ip = allocateIp(used.ips);
      if (ip === undefined) throw invalid('Service', name, [{ field: 'spec.clusterIPs', type: 'Invalid', value: [], detail: 'failed to allocate IP: range is full' }]);
    }
    spec['clusterIP'] = ip;
    spec['clusterIPs'] = [ip];
  } else if (headless) spec['clusterIPs'] = ['None'];
  // Fields of the other types go, as kube drops them when the type changes.
  if (type === 'ExternalName') {
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'internalTrafficPolicy']) delete spec[k];
  }
  if (type !== 'NodePort' && type !== 'LoadBalancer' && oldSpec !== undefined && (oldSpec['type'] === 'NodePort' || oldSpec['type'] === 'LoadBalancer')) {
    spec['ports'] = portsOf(spec).map(({ nodePort: _dropped, ...p }) => p);
    delete spec['externalTrafficPolicy'];
  }
  if (type !== 'LoadBalancer') delete spec['allocateLoadBalancerNodePorts'];
  if (type === 'NodePort' || type === 'LoadBalancer') {
    const oldPorts = oldSpec === undefined ? [] : portsOf(oldSpec);
    const ports = portsOf(spec);
    ports.forEach((p, i) => {
      if (p['nodePort'] === undefined || p['nodePort'] === 0) {
        const kept = oldPorts.find((o) => o['port'] === p['port'] && o['protocol'] === p['protocol'])?.['nodePort'];
        const port = typeof kept === 'number' ? kept : allocateNodePort(used.nodePorts);
        if (port === undefined) throw invalid('Service', name, [{ field: `spec.ports[${i}].nodePort`, type: 'Invalid', value: 0, detail: 'failed to allocate a nodePort: range is full' }]);
        p['nodePort'] = port;
      } else if (typeof p['nodePort'] !== 'number' || p['nodePort'] < NODE_PORT_MIN || p['nodePort'] > NODE_PORT_MAX) {
        throw invalid('Service', name, [{ field: `spec.ports[${i}].nodePort`, type: 'Invalid', value: p['nodePort'], detail: `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}` }]);
      } else if (used.nodePorts.has(p['nodePort']) && !oldPorts.some((o) => o['nodePort'] === p['nodePort'])) {
        throw invalid('Service', name, [{ field: `spec.ports[${i}].nodePort`, type: 'Invalid', value: p['nodePort'], detail: 'provided port is already allocated' }]);
      }
      used.nodePorts.add(p['nodePort'] as number);
    });
    spec['ports'] = ports;
  }
  obj['spec'] = spec;
  if (old === undefined || obj['status'] === undefined) obj['status'] = { loadBalancer: {}, ...rec(obj['status']) };
}

/**
 * The `kubernetes` Service that kube-apiserver keeps in `default`: ClusterIP
 * 10.0.0.1, port 443 (`https`) to the port the server listens on.
 */
export function kubernetesService(targetPort: number): Rec {
  return {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort }], clusterIP: '10.0.0.1', type: 'ClusterIP', sessionAffinity: 'None' },
  };
}
