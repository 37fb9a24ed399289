package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"
	corev1 "k8s.io/kubernetes/pkg/apis/core/v1"
	"k8s.io/kubernetes/pkg/kubelet/configmap"
	"k8s.io/kubernetes/pkg/kubelet/secret"
	"k8s.io/kubernetes/pkg/kubelet/util/manager"
	"k8s.io/utils/clock"
)

// options are the command-line settings that shape the managers.
type options struct {
	strategy  string        // get, cache or watch
	fakeClock bool          // compose the managers over a FakeClock
	ttl       time.Duration // cache: TTL when the node gives none
	nodeName  string        // cache: read the TTL annotation of this node
	resync    time.Duration // watch: the kubelet's sync frequency (idle after 5x)
}

// managers holds the kubelet's Secret and ConfigMap managers of one strategy,
// and their stores when this program built them (cache and watch strategies
// on the fake clock), for the entries and idle ops.
type managers struct {
	secrets        secret.Manager
	configMaps     configmap.Manager
	secretStore    manager.Store
	configMapStore manager.Store
}

// watchStop stops the watch-based stores (the kubelet passes wait.NeverStop);
// closed by the stop op or on quit.
var (
	watchStop     = make(chan struct{})
	watchStopOnce sync.Once
)

func stopWatches() { watchStopOnce.Do(func() { close(watchStop) }) }

func newManagers(ctx context.Context, client clientset.Interface, opt options, clk clock.Clock) (managers, error) {
	getTTL := func() (time.Duration, bool) { return 0, false }
	if opt.nodeName != "" {
		getTTL = manager.GetObjectTTLFromNodeFunc(ctx, func(ctx context.Context) (*v1.Node, error) {
			return client.CoreV1().Nodes().Get(ctx, opt.nodeName, metav1.GetOptions{})
		})
	}
	switch opt.strategy {
	case "get":
		return managers{secrets: secret.NewSimpleSecretManager(client), configMaps: configmap.NewSimpleConfigMapManager(client)}, nil
	case "cache":
		if !opt.fakeClock && opt.ttl == time.Minute {
			// The kubelet's own constructors, unchanged (they use the real clock and a 1 minute default TTL).
			return managers{secrets: secret.NewCachingSecretManager(client, getTTL), configMaps: configmap.NewCachingConfigMapManager(client, getTTL)}, nil
		}
		getSecret := func(namespace, name string, o metav1.GetOptions) (runtime.Object, error) {
			return client.CoreV1().Secrets(namespace).Get(context.TODO(), name, o)
		}
		getConfigMap := func(namespace, name string, o metav1.GetOptions) (runtime.Object, error) {
			return client.CoreV1().ConfigMaps(namespace).Get(context.TODO(), name, o)
		}
		secretStore := manager.NewObjectStore(getSecret, clk, getTTL, opt.ttl)
		configMapStore := manager.NewObjectStore(getConfigMap, clk, getTTL, opt.ttl)
		return managers{
			secrets:        secretManager{manager.NewCacheBasedManager(secretStore, secretNames)},
			configMaps:     configMapManager{manager.NewCacheBasedManager(configMapStore, configMapNames)},
			secretStore:    secretStore,
			configMapStore: configMapStore,
		}, nil
	case "watch":
		if !opt.fakeClock {
			return managers{secrets: secret.NewWatchingSecretManager(client, opt.resync), configMaps: configmap.NewWatchingConfigMapManager(client, opt.resync)}, nil
		}
		secretStore := secretCache(client, clk, opt.resync*5)
		configMapStore := configMapCache(client, clk, opt.resync*5)
		return managers{
			secrets:        secretManager{manager.NewCacheBasedManager(secretStore, secretNames)},
			configMaps:     configMapManager{manager.NewCacheBasedManager(configMapStore, configMapNames)},
			secretStore:    secretStore,
			configMapStore: configMapStore,
		}, nil
	}
	return managers{}, fmt.Errorf("--strategy must be get, cache or watch, not %q", opt.strategy)
}

func secretNames(pod *v1.Pod) sets.Set[string] {
	names := sets.New[string]()
	podutil.VisitPodSecretNames(pod, func(name string) bool { names.Insert(name); return true })
	return names
}

func configMapNames(pod *v1.Pod) sets.Set[string] {
	names := sets.New[string]()
	podutil.VisitPodConfigmapNames(pod, func(name string) bool { names.Insert(name); return true })
	return names
}

// secretCache is what secret.NewWatchingSecretManager builds, with the
// clock given instead of the real one.
func secretCache(client clientset.Interface, clk clock.Clock, maxIdle time.Duration) manager.Store {
	return manager.NewObjectCache(
		func(namespace string, o metav1.ListOptions) (runtime.Object, error) {
			return client.CoreV1().Secrets(namespace).List(context.TODO(), o)
		},
		func(namespace string, o metav1.ListOptions) (watch.Interface, error) {
			return client.CoreV1().Secrets(namespace).Watch(context.TODO(), o)
		},
		func() runtime.Object { return &v1.Secret{} },
		func(o runtime.Object) bool {
			s, ok := o.(*v1.Secret)
			return ok && s.Immutable != nil && *s.Immutable
		},
		func(lw *cache.ListWatch) cache.ListerWatcher {
			return cache.ToListWatcherWithWatchListSemantics(lw, client)
		},
		corev1.Resource("secret"), clk, maxIdle, watchStop)
}

// configMapCache is what configmap.NewWatchingConfigMapManager builds, with
// the clock given instead of the real one.
func configMapCache(client clientset.Interface, clk clock.Clock, maxIdle time.Duration) manager.Store {
	return manager.NewObjectCache(
		func(namespace string, o metav1.ListOptions) (runtime.Object, error) {
			return client.CoreV1().ConfigMaps(namespace).List(context.TODO(), o)
		},
		func(namespace string, o metav1.ListOptions) (watch.Interface, error) {
			return client.CoreV1().ConfigMaps(namespace).Watch(context.TODO(), o)
		},
		func() runtime.Object { return &v1.ConfigMap{} },
		func(o runtime.Object) bool {
			c, ok := o.(*v1.ConfigMap)
			return ok && c.Immutable != nil && *c.Immutable
		},
		func(lw *cache.ListWatch) cache.ListerWatcher {
			return cache.ToListWatcherWithWatchListSemantics(lw, client)
		},
		corev1.Resource("configmap"), clk, maxIdle, watchStop)
}

// secretManager and configMapManager are the kubelet's thin typed wrappers
// (unexported there) over a generic manager.
type secretManager struct{ manager manager.Manager }

func (s secretManager) GetSecret(namespace, name string) (*v1.Secret, error) {
	object, err := s.manager.GetObject(namespace, name)
	if err != nil {
		return nil, err
	}
	if secret, ok := object.(*v1.Secret); ok {
		return secret, nil
	}
	return nil, fmt.Errorf("unexpected object type: %v", object)
}
func (s secretManager) RegisterPod(pod *v1.Pod)   { s.manager.RegisterPod(pod) }
func (s secretManager) UnregisterPod(pod *v1.Pod) { s.manager.UnregisterPod(pod) }

type configMapManager struct{ manager manager.Manager }

func (c configMapManager) GetConfigMap(namespace, name string) (*v1.ConfigMap, error) {
	object, err := c.manager.GetObject(namespace, name)
	if err != nil {
		return nil, err
	}
	if configMap, ok := object.(*v1.ConfigMap); ok {
		return configMap, nil
	}
	return nil, fmt.Errorf("unexpected object type: %v", object)
}
func (c configMapManager) RegisterPod(pod *v1.Pod)   { c.manager.RegisterPod(pod) }
func (c configMapManager) UnregisterPod(pod *v1.Pod) { c.manager.UnregisterPod(pod) }
