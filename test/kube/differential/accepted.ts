// Differences between kube-apiserver v1.37.2 and the embedded server that the
// differential corpus accepts, as data. Each entry covers the cases and the
// answer paths it names (`*` matches any run of characters) and gives the
// reason. Every id is listed in src/apiserver/README.md.

export interface Accepted {
  id: string;
  /** Case ids (`group/step`), `*` wildcards. */
  cases: string[];
  /** Paths in the normalised answer (`status`, `headers.content-type`, `body.details.causes.*`, `events.*`), `*` wildcards. */
  paths: string[];
  reason: string;
}

const statusFields = ['status', 'body.code', 'body.reason', 'body.message', 'body.details*', 'headers.retry-after'];
/** Everything of a create or update answer that differs once one server stored the object and the other refused it. */
const wholeAnswer = ['*'];

export const accepted: Accepted[] = [
  {
    id: 'served-resources-only',
    cases: ['discovery/api-v1-configmaps-entry'],
    paths: ['body.resources*'],
    reason: 'Deliberate: /api/v1 lists the resources the embedded server serves (13 with their subresources); kube lists its 39. Listing resources it does not serve would send clients to 404s.',
  },
  {
    id: 'no-aggregated-discovery',
    cases: ['kubectl/discovery-api'],
    paths: wholeAnswer,
    reason: 'kube answers an Accept of application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList with aggregated discovery; the embedded server does not serve that form and answers APIVersions, on which kubectl and client-go fall back to /api and /apis (the kubectl tests run that way). Serving it is work in discovery.ts.',
  },
  {
    id: 'json-pointer-without-slash',
    cases: ['patch/json-bad-path'],
    paths: wholeAnswer,
    reason: 'Deliberate: a JSON patch path without its leading "/" ("data/k"). kube\'s JSON patch library drops the first segment and adds the top-level field "k", which field validation then drops with a Warning, so kube answers 200 having changed nothing; the embedded server refuses the pointer (RFC 6901) with 400 naming it rather than write somewhere the client did not mean.',
  },
  {
    id: 'patched-object-not-quoted',
    cases: ['patch/json-wrong-type'],
    paths: ['body.message', 'body.details.causes.*.message'],
    reason: 'Deliberate: a patch that gives a field the wrong JSON type. Both answer 422 on field "patch" with the same decoder text, but kube quotes the whole patched object in the message, and that object may hold Secret data; the embedded server says "<patched object>".',
  },
  {
    id: 'custom-body-not-quoted',
    cases: ['custom/create-no-kind'],
    paths: ['body.message'],
    reason: 'Deliberate: a custom resource body without a kind. Both answer 400 "the object provided is unrecognized (must be of type Widget): Object \'Kind\' is missing", but kube then quotes the body twice, and it may hold secret data; the embedded server says "in the request body".',
  },

  // --- accepted for good (or until the named file is changed); the reason says which.
  {
    id: 'table-column-descriptions',
    cases: ['*'],
    paths: ['body.columnDefinitions.*.description', 'events.*.object.columnDefinitions.*.description'],
    reason: "Table column descriptions: kube copies its API reference text; the embedded server writes its own short ones. kubectl does not print them.",
  },
  {
    id: 'version-info',
    cases: ['discovery/version'],
    paths: wholeAnswer,
    reason: 'The embedded server reports the API level it implements, v1.37.2, as gitVersion v1.37.2+kom, with its own commit, tree state, build date and Go version (it is not a build of kube-apiserver).',
  },
  {
    id: 'gzip',
    cases: ['client-node/watch-initial-events'],
    paths: ['headers.content-encoding'],
    reason: 'kube-apiserver gzips answers for clients that accept gzip (client-node sends Accept-Encoding: gzip, deflate); the embedded server never compresses. Both are valid HTTP.',
  },
  {
    id: 'decode-error-messages',
    cases: ['names/kind-mismatch', 'names/apiversion-mismatch', 'wire/malformed-json', 'wire/empty-body', 'wire/array-body', 'wire/deep-json*', 'delete/body-not-json', 'wire/content-type-protobuf-garbage', 'patch/json-not-array', 'patch/merge-not-object', 'patch/*-invalid-json'],
    paths: ['body.message'],
    reason: "Undecodable bodies: same code and reason, but kube's message carries Go's decoder and scheme text (json parse error: …, cannot unmarshal … into Go value …); the embedded server says what was wrong in its own words.",
  },
  {
    id: 'generated-name-in-status',
    cases: ['names/generate-name-bad'],
    paths: ['body.details.name', 'body.message', 'body.details.causes.*.message'],
    reason: 'A refused generateName: both name the random name they generated, which differs.',
  },
  {
    id: 'rv-parse-errors',
    cases: ['rv/get-rv-bad', 'rv/get-rv-huge', 'rv/watch-rv-bad', 'conflicts/update-bad-rv'],
    paths: statusFields,
    reason: 'A resourceVersion that is not a uint64 on a get, watch or update: kube answers 500 InternalError (a get or watch with the message of its 400 for a list, "resourceVersion: Invalid value: … strconv.ParseUint …"; an update with "strconv.ParseUint …"). The embedded server answers a get or watch 400 BadRequest with the same message, as kube answers a list (the client sent it, the server did not fail), and an update 409 Conflict (registry.ts); the 500s are not copied.',
  },
  {
    id: 'watch-cache-rv0',
    cases: ['pages/continue-with-rv'],
    paths: ['body.items*', 'body.metadata.continue', 'body.metadata.remainingItemCount'],
    reason: "resourceVersion=0 with a continue token: kube serves the whole list from its watch cache, ignoring limit and continue; the embedded server goes on paging.",
  },
  {
    id: 'compaction-and-watch-cache',
    cases: ['pages/continue-expired', 'watch/from-rv-1'],
    paths: wholeAnswer,
    reason: "After compaction (etcd's; the embedded server's compactHistory) kube-apiserver's watch cache (on by default) still serves a continue token's page and a watch from an old resourceVersion; the embedded server answers 410 Expired, as kube does with --watch-cache=false (test/kube/control-plane.test.ts covers that).",
  },
  {
    id: 'json-patch-errors',
    cases: ['patch/json-remove-missing', 'patch/json-test-fails', 'patch/json-bad-op', 'patch/unknown-patch-type', 'patch/plain-json-type'],
    paths: ['body.message', 'body.details'],
    reason: 'Patch failures, same code and reason: kube hides why a JSON patch failed ("the server rejected our request due to an error in our request", details {}) and says "415: Unsupported Media Type" for an unknown patch type; the embedded server adds which operation failed and lists the patch types it takes.',
  },
  {
    id: 'strategic-directives',
    cases: ['patch/strategic-bad-directive', 'patch/strategic-retain-keys', 'patch/get-final'],
    paths: wholeAnswer,
    reason: 'Strategic merge directives on a ConfigMap: kube answers $patch "explode" 500 and $retainKeys at the root 400; the embedded server applies both (the map patch drops unknown directives). get-final differs by what that patch stored.',
  },
  {
    id: 'create-with-rv',
    cases: ['conflicts/create-with-rv'],
    paths: ['body.message', 'body.reason', 'body.details*'],
    reason: 'A create carrying metadata.resourceVersion: both 500; kube sends a bare message without reason, the embedded server its usual InternalError Status.',
  },
  {
    id: 'no-garbage-collector',
    cases: ['delete/propagation-orphan', 'delete/propagation-foreground-body', 'delete/list-left', 'delete/delete-namespace', 'delete/create-in-terminating'],
    paths: wholeAnswer,
    reason: "Deletion with Orphan or Foreground propagation: kube adds the orphan/foregroundDeletion finalizer and leaves the object to the garbage collector (no controller-manager here, so it stays); a deleted namespace stays Terminating for the namespace controller and refuses new objects with 403. The embedded server has neither controller: it deletes at once (200 Status) and removes the namespace and its objects.",
  },
  {
    id: 'media-types',
    cases: ['wire/content-type-text', 'wire/content-type-yaml', 'wire/accept-yaml', 'wire/accept-html', 'wire/accept-protobuf', 'wire/accept-partial-metadata*'],
    paths: wholeAnswer,
    reason: 'The embedded server speaks JSON (and Tables) only: it answers YAML bodies 415, and Accept of YAML, protobuf or PartialObjectMetadata 406, and lists only application/json in those messages; kube serves all of them.',
  },
  {
    id: 'not-served-messages',
    cases: ['wire/path-unknown-resource', 'wire/path-status-subresource'],
    paths: ['body.message'],
    reason: 'Deliberate (issue 12): the embedded server adds to kube\'s 404 message that it does not serve that resource or subresource.',
  },
  {
    id: 'pod-defaults-and-admission',
    cases: ['kinds/pod-*'],
    paths: ['body.spec.volumes', 'body.spec.containers.*.volumeMounts', 'body.spec.serviceAccount*', 'body.spec.tolerations', 'body.spec.priority', 'body.spec.preemptionPolicy', 'body.items.*.spec.volumes', 'body.items.*.spec.containers.*.volumeMounts', 'body.items.*.spec.serviceAccount*', 'body.items.*.spec.tolerations', 'body.items.*.spec.priority', 'body.items.*.spec.preemptionPolicy'],
    reason: "A created Pod: kube's admission plugins set serviceAccountName (and serviceAccount), mount the service account token volume in every container, add the not-ready/unreachable tolerations and set priority and preemptionPolicy; the embedded server has no admission (README: Where it differs). Defaulting (containers, volumes, spec) is the same.",
  },
  {
    id: 'pod-updates-and-deletion',
    cases: ['kinds/pod-spec-forbidden-patch', 'kinds/pod-delete'],
    paths: wholeAnswer,
    reason: 'Pods: kube refuses spec changes other than images and a few fields (422 Forbidden) and answers a delete with the pod carrying deletionTimestamp (graceful deletion); the embedded server has no such admission and deletes pods at once (README: Where it differs).',
  },
  {
    id: 'node-defaults',
    cases: ['cluster/node-*'],
    paths: ['body.spec', 'body.status'],
    reason: 'A created Node: kube defaults spec.taints (not-ready) and an empty status.nodeInfo and daemonEndpoints; the embedded server stores the Node as sent.',
  },
];
