// Field validation as kube-apiserver v1.37.2 answers it: each case is one
// write and what comes back (status, message, Warning header) and, when it
// succeeds, what is stored. test/apiserver/field-validation.test.ts holds the
// embedded server to these answers; test/kube/field-validation.test.ts holds
// kube-apiserver to the same table, so that the table stays kube's.
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';

/** Where to send requests: a server URL, a bearer token, its CA. */
export interface Target {
  url: string;
  token: string;
  ca: string;
}

export interface Answer {
  status: number;
  /** The Warning header as a Node client reads it (several are joined with ", "), '' when none. */
  warning: string;
  json: Record<string, unknown> | undefined;
}

const MAX_ANSWER = 4 << 20;

export function send(t: Target, method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, t.url);
    const headers: Record<string, string> = { authorization: `Bearer ${t.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = contentType;
    const send = url.protocol === 'https:' ? request : httpRequest;
    const r = send(url, { method, headers, ca: t.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_ANSWER) chunks.push(c);
      });
      res.on('end', () => {
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        const w = res.headers['warning'];
        // The header carries UTF-8; Node reads each byte as one character.
        const warning = Buffer.from(Array.isArray(w) ? w.join(', ') : (w ?? ''), 'latin1').toString('utf8');
        resolve({ status: res.statusCode ?? 0, warning, json });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

export const NS = 'fv';
const C = `/api/v1/namespaces/${NS}/configmaps`;
const P = `/api/v1/namespaces/${NS}/pods`;
const S = `/api/v1/namespaces/${NS}/secrets`;

const MERGE = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const JSONPATCH = 'application/json-patch+json';

export interface Case {
  name: string;
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  body: string;
  contentType?: string;
  /** A ConfigMap `data` to create first, named after the case (for PUT and PATCH). */
  existing?: Record<string, string>;
  /** Another object to create first: POST `body` to `path`. */
  create?: { path: string; body: string };
  status: number;
  /** The whole Status message (errors). */
  message?: string;
  /** The messages of the Warning header, in order. */
  warnings?: string[];
  /** After a success: the stored object's top-level fields besides kind, apiVersion, metadata (and pod spec defaults). */
  stored?: Record<string, unknown>;
}

const cm = (name: string, extra: string): string => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"a":"1"}${extra}}`;
const pod = (name: string, spec: string, container = ''): string =>
  `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"},"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"${container}}]${spec}}}`;
const cmError = (text: string): string => `ConfigMap in version "v1" cannot be handled as a ConfigMap: ${text}`;
const podError = (text: string): string => `Pod in version "v1" cannot be handled as a Pod: ${text}`;
const patchError = (text: string, strategic = false): string => ` "" is invalid: patch: Invalid value: "${strategic ? '<patch>' : '<patched object>'}": ${text}`;
const unsupported = (options: string, value: string): string =>
  `${options}.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "${value}": supported values: "", "Ignore", "Strict", "Warn"`;

/** The object a PUT case replaces: a ConfigMap named after the case. */
const put = (name: string, extra: string): string => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"a":"2"}${extra}}`;

export function cases(): Case[] {
  const list: Case[] = [
    // create
    { name: 'cm-default', method: 'POST', path: C, body: cm('cm-default', ',"bogusField":1'), status: 201, warnings: ['unknown field "bogusField"'], stored: { data: { a: '1' } } },
    { name: 'cm-empty', method: 'POST', path: `${C}?fieldValidation=`, body: cm('cm-empty', ',"bogusField":1'), status: 201, warnings: ['unknown field "bogusField"'], stored: { data: { a: '1' } } },
    { name: 'cm-strict', method: 'POST', path: `${C}?fieldValidation=Strict`, body: cm('cm-strict', ',"bogusField":1'), status: 400, message: cmError('strict decoding error: unknown field "bogusField"') },
    { name: 'cm-strict-first', method: 'POST', path: `${C}?fieldValidation=Strict&fieldValidation=Ignore`, body: cm('cm-strict-first', ',"bogusField":1'), status: 400, message: cmError('strict decoding error: unknown field "bogusField"') },
    { name: 'cm-warn', method: 'POST', path: `${C}?fieldValidation=Warn`, body: cm('cm-warn', ',"bogusField":1,"other":{"x":2}'), status: 201, warnings: ['unknown field "bogusField"', 'unknown field "other"'], stored: { data: { a: '1' } } },
    { name: 'cm-ignore', method: 'POST', path: `${C}?fieldValidation=Ignore`, body: cm('cm-ignore', ',"bogusField":1'), status: 201, warnings: [], stored: { data: { a: '1' } } },
    { name: 'cm-bad-mode', method: 'POST', path: `${C}?fieldValidation=bogus`, body: cm('cm-bad-mode', ''), status: 422, message: unsupported('CreateOptions', 'bogus') },
    { name: 'cm-lower-mode', method: 'POST', path: `${C}?fieldValidation=strict`, body: cm('cm-lower-mode', ''), status: 422, message: unsupported('CreateOptions', 'strict') },
    {
      name: 'cm-several', method: 'POST', path: `${C}?fieldValidation=Strict`,
      body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-several","bogusMeta":1,"labels":{"a":"b"}},"data":{"a":"1"},"zeta":1,"bogusField":null}',
      status: 400, message: cmError('strict decoding error: unknown field "metadata.bogusMeta", unknown field "zeta", unknown field "bogusField"'),
    },
    {
      name: 'cm-dup', method: 'POST', path: `${C}?fieldValidation=Strict`,
      body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-dup"},"data":{"a":"1","a":"2"},"data":{"b":"2"},"bogus":1}',
      status: 400, message: cmError('strict decoding error: duplicate field "data.a", duplicate field "data", unknown field "bogus"'),
    },
    {
      name: 'cm-dup-warn', method: 'POST', path: `${C}?fieldValidation=Warn`,
      body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-dup-warn"},"data":{"a":"1","a":"2"},"data":{"b":"2"},"bogus":1}',
      status: 201, warnings: ['duplicate field "data.a"', 'duplicate field "data"', 'unknown field "bogus"'], stored: { data: { a: '2', b: '2' } },
    },
    { name: 'cm-case', method: 'POST', path: `${C}?fieldValidation=Strict`, body: cm('cm-case', ',"Data":{"x":"y"}'), status: 400, message: cmError('strict decoding error: unknown field "Data"') },
    { name: 'cm-case-ignore', method: 'POST', path: `${C}?fieldValidation=Ignore`, body: cm('cm-case-ignore', ',"Data":{"x":"y"}'), status: 201, warnings: [], stored: { data: { a: '1' } } },
    { name: 'cm-quote', method: 'POST', path: `${C}?fieldValidation=Warn`, body: cm('cm-quote', ',"a\\"b\\\\cé\\n":1'), status: 201, warnings: ['unknown field "a\\"b\\\\cé\\n"'], stored: { data: { a: '1' } } },
    { name: 'cm-null-value', method: 'POST', path: `${C}?fieldValidation=Strict`, body: '{"metadata":{"name":"cm-null-value"},"data":{"a":null},"immutable":null}', status: 201, warnings: [], stored: { data: { a: '' } } },
    { name: 'cm-type', method: 'POST', path: `${C}?fieldValidation=Ignore`, body: '{"metadata":{"name":"cm-type"},"data":{"a":1}}', status: 400, message: cmError('json: cannot unmarshal number into Go struct field ConfigMap.data of type string') },
    { name: 'cm-type-first', method: 'POST', path: `${C}?fieldValidation=Strict`, body: '{"metadata":{"name":"cm-type-first"},"bogus":1,"data":{"a":1}}', status: 400, message: cmError('json: cannot unmarshal number into Go struct field ConfigMap.data of type string') },
    { name: 'cm-data-string', method: 'POST', path: C, body: '{"metadata":{"name":"cm-data-string"},"data":"x"}', status: 400, message: cmError('json: cannot unmarshal string into Go struct field ConfigMap.data of type map[string]string') },
    { name: 'cm-immutable', method: 'POST', path: C, body: '{"metadata":{"name":"cm-immutable"},"immutable":"yes"}', status: 400, message: cmError('json: cannot unmarshal string into Go struct field ConfigMap.immutable of type bool') },
    { name: 'cm-labels', method: 'POST', path: C, body: '{"metadata":{"name":"cm-labels","labels":{"a":1}}}', status: 400, message: cmError('json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string') },
    { name: 'cm-metadata', method: 'POST', path: C, body: '{"kind":"ConfigMap","metadata":"x"}', status: 400, message: cmError('json: cannot unmarshal string into Go struct field ConfigMap.metadata of type v1.ObjectMeta') },
    { name: 'cm-timestamp', method: 'POST', path: C, body: '{"metadata":{"name":"cm-timestamp","creationTimestamp":5}}', status: 400, message: cmError('json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string') },
    { name: 'cm-generation', method: 'POST', path: C, body: '{"metadata":{"name":"cm-generation","generation":"a"}}', status: 400, message: cmError('json: cannot unmarshal string into Go struct field ObjectMeta.metadata.generation of type int64') },
    { name: 'cm-finalizers', method: 'POST', path: C, body: '{"metadata":{"name":"cm-finalizers","finalizers":"a"}}', status: 400, message: cmError('json: cannot unmarshal string into Go struct field ObjectMeta.metadata.finalizers of type []string') },
    { name: 'cm-owners', method: 'POST', path: C, body: '{"metadata":{"name":"cm-owners","ownerReferences":{"a":1}}}', status: 400, message: cmError('json: cannot unmarshal object into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference') },
    {
      name: 'cm-managed', method: 'POST', path: `${C}?fieldValidation=Strict`,
      body: '{"metadata":{"name":"cm-managed","managedFields":[{"manager":"x","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:data":{},"junk":1},"bogus":2}]}}',
      status: 400, message: cmError('strict decoding error: unknown field "metadata.managedFields[0].bogus"'),
    },
    { name: 'cm-status', method: 'POST', path: `${C}?fieldValidation=Strict`, body: '{"metadata":{"name":"cm-status"},"status":{"x":1}}', status: 400, message: cmError('strict decoding error: unknown field "status"') },
    {
      name: 'ns-spec', method: 'POST', path: '/api/v1/namespaces?fieldValidation=Strict', body: '{"metadata":{"name":"fv-ns-spec"},"spec":{"bogus":1}}',
      status: 400, message: 'Namespace in version "v1" cannot be handled as a Namespace: strict decoding error: unknown field "spec.bogus"',
    },
    // pods: paths into lists
    {
      name: 'pod-nested', method: 'POST', path: `${P}?fieldValidation=Strict`,
      body: pod('pod-nested', '', ',"imagePullPolcy":"Always","ports":[{"containerPort":80,"bogus":1}],"env":[{"name":"x","valueFrom":{"secretKeyRef":{"name":"s","key":"k","zz":1}}}]'),
      status: 400, message: podError('strict decoding error: unknown field "spec.containers[1].imagePullPolcy", unknown field "spec.containers[1].ports[0].bogus", unknown field "spec.containers[1].env[0].valueFrom.secretKeyRef.zz"'),
    },
    {
      name: 'pod-nested-warn', method: 'POST', path: P, body: pod('pod-nested-warn', '', ',"imagePullPolcy":"Always"'),
      status: 201, warnings: ['unknown field "spec.containers[1].imagePullPolcy"'],
    },
    {
      name: 'pod-dup', method: 'POST', path: `${P}?fieldValidation=Strict`,
      body: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-dup","labels":{"a.b":"1","a.b":"2"}},"spec":{"containers":[{"name":"a","image":"x","name":"b"}]}}',
      status: 400, message: podError('strict decoding error: duplicate field "metadata.labels.a.b", duplicate field "spec.containers[0].name"'),
    },
    { name: 'pod-image', method: 'POST', path: P, body: pod('pod-image', '', ',"image":5'), status: 400, message: podError('json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string') },
    { name: 'pod-port', method: 'POST', path: P, body: pod('pod-port', '', ',"ports":[{"containerPort":"x"}]'), status: 400, message: podError('json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32') },
    { name: 'pod-port-float', method: 'POST', path: P, body: pod('pod-port-float', '', ',"ports":[{"containerPort":1.5}]'), status: 400, message: podError('json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32') },
    { name: 'pod-port-big', method: 'POST', path: P, body: pod('pod-port-big', '', ',"ports":[{"containerPort":3000000000}]'), status: 400, message: podError('json: cannot unmarshal number 3000000000 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32') },
    { name: 'pod-grace-exp', method: 'POST', path: P, body: pod('pod-grace-exp', ',"terminationGracePeriodSeconds":1.0e3'), status: 400, message: podError('json: cannot unmarshal number 1.0e3 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64') },
    { name: 'pod-grace-string', method: 'POST', path: P, body: pod('pod-grace-string', ',"terminationGracePeriodSeconds":"x"'), status: 400, message: podError('json: cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64') },
    { name: 'pod-containers', method: 'POST', path: P, body: '{"metadata":{"name":"pod-containers"},"spec":{"containers":{"name":"a"}}}', status: 400, message: podError('json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container') },
    { name: 'pod-spec', method: 'POST', path: P, body: '{"metadata":{"name":"pod-spec"},"spec":"x"}', status: 400, message: podError('json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec') },
    { name: 'pod-args', method: 'POST', path: P, body: pod('pod-args', '', ',"args":[1]'), status: 400, message: podError('json: cannot unmarshal number into Go struct field Container.spec.containers.args of type string') },
    { name: 'pod-ports', method: 'POST', path: P, body: pod('pod-ports', '', ',"ports":["80"]'), status: 400, message: podError('json: cannot unmarshal string into Go struct field Container.spec.containers.ports of type v1.ContainerPort') },
    { name: 'pod-host-network', method: 'POST', path: P, body: pod('pod-host-network', ',"hostNetwork":"true","terminationGracePeriodSeconds":"x"'), status: 400, message: podError('json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool') },
    { name: 'pod-node-name', method: 'POST', path: P, body: pod('pod-node-name', ',"nodeName":[]'), status: 400, message: podError('json: cannot unmarshal array into Go struct field PodSpec.spec.nodeName of type string') },
    { name: 'pod-tolerations', method: 'POST', path: P, body: pod('pod-tolerations', ',"tolerations":["x"]'), status: 400, message: podError('json: cannot unmarshal string into Go struct field PodSpec.spec.tolerations of type v1.Toleration') },
    { name: 'pod-node-selector', method: 'POST', path: P, body: pod('pod-node-selector', ',"nodeSelector":5'), status: 400, message: podError('json: cannot unmarshal number into Go struct field PodSpec.spec.nodeSelector of type map[string]string') },
    { name: 'pod-env-value', method: 'POST', path: P, body: pod('pod-env-value', '', ',"env":[{"name":"x","value":5}]'), status: 400, message: podError('json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string') },
    {
      name: 'pod-quantity', method: 'POST', path: P, body: pod('pod-quantity', '', ',"resources":{"limits":{"cpu":true}}'),
      status: 400, message: podError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    },
    // secrets
    { name: 'secret-number', method: 'POST', path: S, body: '{"metadata":{"name":"secret-number"},"data":{"a":5}}', status: 400, message: 'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field Secret.data of type []uint8' },
    { name: 'secret-array', method: 'POST', path: S, body: '{"metadata":{"name":"secret-array"},"data":["a"]}', status: 400, message: 'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal array into Go struct field Secret.data of type map[string][]uint8' },
    { name: 'secret-base64', method: 'POST', path: S, body: '{"metadata":{"name":"secret-base64"},"data":{"a":"!!"}}', status: 400, message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0' },
    { name: 'secret-string-data', method: 'POST', path: S, body: '{"metadata":{"name":"secret-string-data"},"stringData":{"a":1}}', status: 400, message: 'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field Secret.stringData of type string' },
    // update
    { name: 'put-default', method: 'PUT', path: `${C}/put-default`, existing: { a: '1' }, body: put('put-default', ',"bogus":1'), status: 200, warnings: ['unknown field "bogus"'], stored: { data: { a: '2' } } },
    { name: 'put-strict', method: 'PUT', path: `${C}/put-strict?fieldValidation=Strict`, existing: { a: '1' }, body: put('put-strict', ',"bogus":1'), status: 400, message: cmError('strict decoding error: unknown field "bogus"') },
    { name: 'put-bad-mode', method: 'PUT', path: `${C}/put-bad-mode?fieldValidation=x`, existing: { a: '1' }, body: put('put-bad-mode', ''), status: 422, message: unsupported('UpdateOptions', 'x') },
    { name: 'put-type', method: 'PUT', path: `${C}/put-type?fieldValidation=Ignore`, existing: { a: '1' }, body: '{"metadata":{"name":"put-type"},"data":{"a":1}}', status: 400, message: cmError('json: cannot unmarshal number into Go struct field ConfigMap.data of type string') },
  ];
  // patches: each type, each mode
  const patchBodies: [string, string, string][] = [
    ['merge', MERGE, '{"zeta":1,"data":{"b":"2"},"metadata":{"zz":1}}'],
    ['strategic', SMP, '{"zeta":1,"data":{"b":"2"},"metadata":{"zz":1}}'],
    ['json', JSONPATCH, '[{"op":"add","path":"/metadata/zz","value":{"q":1}},{"op":"add","path":"/zeta","value":1},{"op":"add","path":"/data/b","value":"2"}]'],
  ];
  // Sorted, as kube decodes a patched object from a Go map: "metadata.zz" before "zeta".
  const both = ['unknown field "metadata.zz"', 'unknown field "zeta"'];
  for (const [style, type, body] of patchBodies) {
    const at = (mode: string): string => `${C}/patch-${style}-${mode.toLowerCase() || 'default'}${mode === '' ? '' : `?fieldValidation=${mode}`}`;
    const base = { method: 'PATCH' as const, contentType: type, existing: { a: '1' }, body };
    list.push(
      { ...base, name: `patch-${style}-default`, path: at(''), status: 200, warnings: both, stored: { data: { a: '1', b: '2' } } },
      { ...base, name: `patch-${style}-warn`, path: at('Warn'), status: 200, warnings: both, stored: { data: { a: '1', b: '2' } } },
      { ...base, name: `patch-${style}-ignore`, path: at('Ignore'), status: 200, warnings: [], stored: { data: { a: '1', b: '2' } } },
      { ...base, name: `patch-${style}-strict`, path: at('Strict'), status: 422, message: patchError(`strict decoding error: ${both.join(', ')}`, style === 'strategic') },
      { ...base, name: `patch-${style}-x`, path: at('x'), status: 422, message: unsupported('PatchOptions', 'x') },
    );
  }
  const patch = (name: string, type: string, body: string, rest: Partial<Case> & { status: number }): Case => ({
    name, method: 'PATCH', path: `${C}/${name}?fieldValidation=Strict`, contentType: type, existing: { a: '1' }, body, ...rest,
  });
  list.push(
    patch('patch-merge-null', MERGE, '{"zeta":null,"data":{"c":"3"}}', { status: 200, warnings: [], stored: { data: { a: '1', c: '3' } } }),
    patch('patch-strategic-null', SMP, '{"zeta":null,"data":{"c":"3"}}', { status: 200, warnings: [], stored: { data: { a: '1', c: '3' } } }),
    patch('patch-json-removed', JSONPATCH, '[{"op":"add","path":"/zeta","value":1},{"op":"remove","path":"/zeta"}]', { status: 200, warnings: [], stored: { data: { a: '1' } } }),
    patch('patch-merge-dup', MERGE, '{"data":{"a":"1","a":"2"}}', { status: 422, message: patchError('strict decoding error: duplicate field "data.a"') }),
    patch('patch-strategic-dup', SMP, '{"data":{"a":"1","a":"2"}}', { status: 422, message: patchError('strict decoding error: duplicate field "data.a"', true) }),
    { ...patch('patch-merge-dup-warn', MERGE, '{"data":{"a":"1","a":"5"}}', { status: 200, warnings: ['duplicate field "data.a"'], stored: { data: { a: '5' } } }), path: `${C}/patch-merge-dup-warn` },
    patch('patch-json-dup', JSONPATCH, '[{"op":"add","path":"/metadata/labels","value":{"l":"1","l":"2"}}]', { status: 422, message: patchError('strict decoding error: json patch duplicate field "[0].value.l", duplicate field "metadata.labels.l"') }),
    { ...patch('patch-json-dup-warn', JSONPATCH, '[{"op":"add","path":"/metadata/labels","value":{"l":"1","l":"2"}}]', { status: 200, warnings: ['json patch duplicate field "[0].value.l"', 'duplicate field "metadata.labels.l"'] }), path: `${C}/patch-json-dup-warn` },
    patch('patch-merge-type', MERGE, '{"data":{"a":1}}', { status: 422, message: patchError('json: cannot unmarshal number into Go struct field ConfigMap.data of type string') }),
    patch('patch-json-type', JSONPATCH, '[{"op":"add","path":"/data/a","value":1}]', { status: 422, message: patchError('json: cannot unmarshal number into Go struct field ConfigMap.data of type string') }),
    patch('patch-merge-map', MERGE, '{"data":"x"}', { status: 422, message: patchError('json: cannot unmarshal string into Go struct field ConfigMap.data of type map[string]string') }),
    patch('patch-strategic-int', SMP, '{"data":{"a":1}}', { status: 422, message: patchError('cannot convert int64 to string', true) }),
    patch('patch-strategic-bool', SMP, '{"data":{"a":true}}', { status: 422, message: patchError('unrecognized type: string', true) }),
    patch('patch-strategic-map', SMP, '{"data":"x"}', { status: 422, message: patchError('cannot restore map from string', true) }),
    patch('patch-strategic-immutable', SMP, '{"immutable":"x"}', { status: 422, message: patchError('unrecognized type: bool', true) }),
    patch('patch-strategic-labels', SMP, '{"metadata":{"labels":{"a":1}}}', { status: 422, message: patchError('cannot convert int64 to string', true) }),
  );
  // What kube reads is the patched object, for strategic patches too: paths are the object's (index 1 here, 0 in the patch),
  // an unknown field the patch sets to null or deletes with its list element is not there, and directives are not fields.
  const twoContainers = (name: string): { path: string; body: string } => ({
    path: P, body: `{"metadata":{"name":"${name}"},"spec":{"containers":[{"name":"x","image":"x"},{"name":"a","image":"a"}]}}`,
  });
  const podPatch = (name: string, type: string, body: string, rest: Partial<Case> & { status: number }): Case => ({
    name, method: 'PATCH', path: `${P}/${name}?fieldValidation=Strict`, contentType: type, create: twoContainers(name), body, ...rest,
  });
  list.push(
    podPatch('pod-strategic-index', SMP, '{"spec":{"containers":[{"name":"a","bogus":1}]}}', { status: 422, message: patchError('strict decoding error: unknown field "spec.containers[1].bogus"', true) }),
    podPatch('pod-strategic-directives', SMP, '{"spec":{"$setElementOrder/containers":[{"name":"x"},{"name":"a"}],"containers":[{"name":"a","image":"b","zz":null}]},"metadata":{"labels":{"l":"1"}}}', { status: 200, warnings: [] }),
  );
  return list;
}

/** Sixty unknown fields, all listed; 150, the first 100 listed (kube's decoder stops there). */
export function manyFields(n: number): string {
  const fields = Array.from({ length: n }, (_, i) => `"b${String(i)}":1`).join(',');
  return `{"metadata":{"name":"many-${String(n)}"},${fields}}`;
}

/** kube-apiserver quotes the patched object (or the patch) in a patch's 422; the embedded server does not (it may hold Secret data). */
export function withoutPatchQuote(message: string): string {
  const m = /^ "" is invalid: patch: Invalid value: "(.*)": (strict decoding error|json: |cannot |unrecognized |quantities )/s.exec(message);
  if (m === null) return message;
  const placeholder = (m[1] ?? '').startsWith('map[') ? '<patch>' : '<patched object>';
  return message.replace(`"${m[1] ?? ''}"`, `"${placeholder}"`);
}

/** The messages of a Warning header (`299 - "..."`, joined with ", "). */
export function warningMessages(header: string): string[] {
  const out: string[] = [];
  const re = /299 - "((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(header); m !== null; m = re.exec(header)) out.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
  return out;
}

/** What `c` left stored, less kind, apiVersion and metadata (for `c.stored`). */
export async function storedFields(t: Target, c: Case): Promise<Record<string, unknown>> {
  const path = c.path.split('?')[0] ?? '';
  const stored = await send(t, 'GET', c.method === 'POST' ? `${path}/${c.name}` : path);
  return Object.fromEntries(Object.entries(stored.json ?? {}).filter(([k]) => !['kind', 'apiVersion', 'metadata'].includes(k)));
}
