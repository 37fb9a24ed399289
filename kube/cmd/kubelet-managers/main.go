// Command kubelet-managers runs the kubelet's own Secret and ConfigMap
// managers (k8s.io/kubernetes/pkg/kubelet/{secret,configmap,util/manager})
// against an API server, driven by JSON lines on stdin and answering JSON
// lines on stdout. It is the oracle that the TypeScript managers are
// compared with. The protocol is described in kube/README.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/component-base/version"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/kubelet/util/manager"
	"k8s.io/utils/clock"
	testingclock "k8s.io/utils/clock/testing"
)

const protocolVersion = 2

// maxLine bounds one request line (a pod with many volumes fits easily).
const maxLine = 4 << 20

// fakeClockStart is where the fake clock starts: a fixed instant, so that
// runs are repeatable.
var fakeClockStart = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	klog.InitFlags(nil)
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file (required)")
	strategy := flag.String("strategy", "watch", "get (a GET per read), cache (TTL cache) or watch (a watch per object)")
	clockName := flag.String("clock", "fake", "fake (moved only by the advance op) or real (the kubelet's own constructors)")
	ttl := flag.Duration("ttl", time.Minute, "cache: the TTL used when the node gives none (the kubelet's is 1m)")
	nodeName := flag.String("node-name", "", "cache: read the TTL from this node's node.alpha.kubernetes.io/ttl annotation (a GET per freshness check)")
	resync := flag.Duration("resync", time.Minute, "watch: the kubelet's sync frequency; a watch idle for 5x this (at least 1m) stops")
	qps := flag.Float64("qps", 50, "client QPS (the kubelet's default)")
	burst := flag.Int("burst", 100, "client burst (the kubelet's default)")
	flag.Set("logtostderr", "true")
	flag.Parse()

	if *kubeconfig == "" {
		fatalf("--kubeconfig is required")
	}
	if *clockName != "fake" && *clockName != "real" {
		fatalf("--clock must be fake or real, not %q", *clockName)
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fatalf("--kubeconfig: %v", err)
	}
	config.QPS = float32(*qps)
	config.Burst = *burst
	config.UserAgent = "kubelet-managers/" + version.Get().GitVersion
	client, err := clientset.NewForConfig(config)
	if err != nil {
		fatalf("client: %v", err)
	}

	var clk clock.Clock = clock.RealClock{}
	var fake *testingclock.FakeClock
	if *clockName == "fake" {
		fake = testingclock.NewFakeClock(fakeClockStart)
		clk = fake
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, err := newManagers(ctx, client, options{*strategy, fake != nil, *ttl, *nodeName, *resync}, clk)
	if err != nil {
		fatalf("%v", err)
	}

	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	must(out.Encode(hello{Ready: true, Strategy: *strategy, Clock: *clockName, K8s: version.Get().GitVersion, Protocol: protocolVersion, GoVersion: runtime.Version()}))

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64<<10), maxLine)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		var req request
		if err := json.Unmarshal([]byte(line), &req); err != nil {
			must(out.Encode(answer{ID: idOf(line), Error: &answerError{"BadRequest", "not a request: " + err.Error()}}))
			continue
		}
		a, quit := handle(m, fake, req)
		a.ID = req.ID
		must(out.Encode(a))
		if quit {
			stopWatches()
			return
		}
	}
	if err := in.Err(); err != nil {
		fatalf("stdin: %v (a line is at most %d bytes)", err, maxLine)
	}
	stopWatches()
}

var yes = true

func handle(m managers, fake *testingclock.FakeClock, req request) (answer, bool) {
	switch req.Op {
	case "register", "unregister":
		if req.Pod == nil {
			return badRequest("%s needs a pod", req.Op), false
		}
		if req.Op == "register" {
			m.secrets.RegisterPod(req.Pod)
			m.configMaps.RegisterPod(req.Pod)
		} else {
			m.secrets.UnregisterPod(req.Pod)
			m.configMaps.UnregisterPod(req.Pod)
		}
		return answer{OK: &yes}, false
	case "get":
		if req.Namespace == "" || req.Name == "" {
			return badRequest("get needs a namespace and a name"), false
		}
		switch req.Kind {
		case "Secret":
			s, err := m.secrets.GetSecret(req.Namespace, req.Name)
			if err != nil {
				return errorAnswer(err), false
			}
			hash := secretHash(s)
			return answer{ResourceVersion: &s.ResourceVersion, UID: ptr(string(s.UID)), Immutable: ptr(s.Immutable != nil && *s.Immutable), DataHash: &hash}, false
		case "ConfigMap":
			c, err := m.configMaps.GetConfigMap(req.Namespace, req.Name)
			if err != nil {
				return errorAnswer(err), false
			}
			hash := configMapHash(c)
			return answer{ResourceVersion: &c.ResourceVersion, UID: ptr(string(c.UID)), Immutable: ptr(c.Immutable != nil && *c.Immutable), DataHash: &hash}, false
		}
		return badRequest("kind must be Secret or ConfigMap, not %q", req.Kind), false
	case "advance":
		if fake == nil {
			return answer{Error: &answerError{"RealClock", "advance needs --clock=fake"}}, false
		}
		if req.Ms == nil || *req.Ms < 0 {
			return badRequest("advance needs ms >= 0"), false
		}
		fake.Step(time.Duration(*req.Ms) * time.Millisecond)
		return answer{OK: &yes, Now: ptr(fake.Now().UTC().Format(time.RFC3339Nano))}, false
	case "entries":
		store, a := m.store(req.Kind)
		if store == nil {
			return a, false
		}
		entries, err := storeEntries(store)
		if err != nil {
			return answer{Error: &answerError{"Unsupported", err.Error()}}, false
		}
		if entries == nil {
			entries = []entry{}
		}
		return answer{Entries: &entries}, false
	case "idle":
		if m.secretStore == nil {
			return answer{Error: &answerError{"Unsupported", "idle needs --strategy=watch --clock=fake"}}, false
		}
		for _, store := range []manager.Store{m.secretStore, m.configMapStore} {
			if err := runIdleCheck(store); err != nil {
				return answer{Error: &answerError{"Unsupported", err.Error()}}, false
			}
		}
		return answer{OK: &yes, Now: ptr(fake.Now().UTC().Format(time.RFC3339Nano))}, false
	case "stop":
		if kind, _, err := storeKind(m.secretStore); err != nil || kind != "watch" {
			return answer{Error: &answerError{"Unsupported", "stop needs --strategy=watch --clock=fake"}}, false
		}
		// The stop channel the watch stores were built with (the kubelet's
		// wait.NeverStop): each store's shutdownWhenStopped stops every watch.
		stopWatches()
		return answer{OK: &yes}, false
	case "stats":
		if req.GC {
			// Twice, as the bench does for V8: the first cycle may leave finalizer-held memory.
			runtime.GC()
			runtime.GC()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return answer{HeapBytes: &ms.HeapAlloc, RSSBytes: ptr(rss()), Goroutines: ptr(runtime.NumGoroutine())}, false
	case "quit":
		return answer{OK: &yes}, true
	}
	return badRequest("unknown op %q (register, unregister, get, advance, entries, idle, stop, stats, quit)", req.Op), false
}

// store is the store of a kind (nil with the answer to give when there is none).
func (m managers) store(kind string) (manager.Store, answer) {
	var store manager.Store
	switch kind {
	case "Secret":
		store = m.secretStore
	case "ConfigMap":
		store = m.configMapStore
	default:
		return nil, badRequest("kind must be Secret or ConfigMap, not %q", kind)
	}
	if store == nil {
		return nil, answer{Error: &answerError{"Unsupported", "entries needs --strategy=cache or watch with --clock=fake"}}
	}
	return store, answer{}
}

// errorAnswer maps a manager error to a reason: the API status reason for
// errors from the server (NotFound, Forbidden, ...), NotRegistered for an
// object no registered pod references, SyncFailed when a watch-based store
// did not sync within the kubelet's 1 s, Unknown otherwise. Messages name
// objects, never data.
func errorAnswer(err error) answer {
	reason := "Unknown"
	var status apierrors.APIStatus
	switch {
	case errors.As(err, &status) && status.Status().Reason != "":
		reason = string(status.Status().Reason)
	case errors.As(err, &status):
		reason = "Status" + strconv.Itoa(int(status.Status().Code))
	case strings.Contains(err.Error(), "not registered"):
		reason = "NotRegistered"
	case strings.HasPrefix(err.Error(), "failed to sync"):
		reason = "SyncFailed"
	}
	return answer{Error: &answerError{reason, err.Error()}}
}

func badRequest(format string, args ...any) answer {
	return answer{Error: &answerError{"BadRequest", fmt.Sprintf(format, args...)}}
}

// idOf recovers the id of a line that is JSON but not a valid request.
func idOf(line string) json.RawMessage {
	var partial struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal([]byte(line), &partial) != nil {
		return nil
	}
	return partial.ID
}

// rss is the resident set size from /proc/self/statm (0 where there is none).
func rss() uint64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(raw))
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

func ptr[T any](v T) *T { return &v }

func must(err error) {
	if err != nil {
		fatalf("stdout: %v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kubelet-managers: "+format+"\n", args...)
	os.Exit(1)
}
