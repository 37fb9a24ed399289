package main

// Test instrumentation over the kubelet's stores, for the oracle comparison:
// what each store holds (entries) and the watch store's idle check run now
// (idle). The manager package exposes neither, so this reads its unexported
// state by reflection, under the store's own locks, and calls its unexported
// idle check through go:linkname. A Kubernetes release that changes that
// layout makes these ops answer Unsupported instead of guessing.

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
	"unsafe"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
	"k8s.io/kubernetes/pkg/kubelet/util/manager"
)

const managerPkg = "k8s.io/kubernetes/pkg/kubelet/util/manager"

// recycleIdleWatches is the watch store's own idle check,
// (*objectCache).startRecycleIdleWatch, which NewObjectCache runs on a real
// one-minute ticker: it stops every synced watch whose object was last read
// more than maxIdleTime ago on the store's clock.
//
//go:linkname recycleIdleWatches k8s.io/kubernetes/pkg/kubelet/util/manager.(*objectCache).startRecycleIdleWatch
func recycleIdleWatches(c unsafe.Pointer)

// entry is what a store holds for one referenced object; never its data.
type entry struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// State: pending (nothing fetched or listed yet), synced (an object is
	// held), missing (the server said NotFound), immutable (held for good,
	// watch stopped), idle (watch stopped for idleness).
	State           string `json:"state"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
	// Refs is the store's reference count (TTL store: one per AddReference;
	// watch store: the sum over referrers).
	Refs int `json:"refs"`
	// Referrers are the pod UIDs holding references (watch store only: the
	// TTL store does not keep them).
	Referrers []string `json:"referrers,omitempty"`
}

// storeKind names a Store built by NewObjectStore ("ttl") or NewObjectCache ("watch").
func storeKind(store manager.Store) (string, reflect.Value, error) {
	v := reflect.ValueOf(store)
	if store == nil || v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct || v.Elem().Type().PkgPath() != managerPkg {
		return "", reflect.Value{}, fmt.Errorf("not a store of %s: %T", managerPkg, store)
	}
	switch v.Elem().Type().Name() {
	case "objectStore":
		return "ttl", v.Elem(), nil
	case "objectCache":
		return "watch", v.Elem(), nil
	}
	return "", reflect.Value{}, fmt.Errorf("unknown store type %T", store)
}

// runIdleCheck runs the idle check of a watch store now.
func runIdleCheck(store manager.Store) error {
	kind, v, err := storeKind(store)
	if err != nil {
		return err
	}
	if kind != "watch" {
		return fmt.Errorf("the idle check belongs to the watch store, not the %s store", kind)
	}
	recycleIdleWatches(unsafe.Pointer(v.UnsafeAddr()))
	return nil
}

// storeEntries lists what a store holds, sorted by name.
func storeEntries(store manager.Store) (out []entry, err error) {
	defer func() {
		// A field that moved or changed type: say so instead of crashing.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("reading %T: %v", store, r)
		}
	}()
	kind, v, err := storeKind(store)
	if err != nil {
		return nil, err
	}
	if kind == "ttl" {
		out = ttlEntries(v)
	} else {
		out = watchEntries(v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// field is an unexported field, readable through its address.
func field(v reflect.Value, name string) reflect.Value {
	f := v.FieldByName(name)
	if !f.IsValid() {
		panic(fmt.Sprintf("no field %q in %s", name, v.Type()))
	}
	return f
}

func mutex(v reflect.Value, name string) *sync.Mutex {
	f := field(v, name)
	if f.Type() != reflect.TypeFor[sync.Mutex]() {
		panic(fmt.Sprintf("field %q of %s is %s, not a sync.Mutex", name, v.Type(), f.Type()))
	}
	return (*sync.Mutex)(unsafe.Pointer(f.UnsafeAddr()))
}

// ttlEntries reads an objectStore: items map[objectKey]*objectStoreItem{refCount, data *objectData{sync.Mutex, object, err, lastUpdateTime}}.
func ttlEntries(s reflect.Value) []entry {
	lock := mutex(s, "lock")
	lock.Lock()
	defer lock.Unlock()
	var out []entry
	items := field(s, "items").MapRange()
	for items.Next() {
		key, item := items.Key(), items.Value().Elem()
		e := entry{Namespace: field(key, "namespace").String(), Name: field(key, "name").String(), State: "pending", Refs: int(field(item, "refCount").Int())}
		if data := field(item, "data"); !data.IsNil() {
			d := data.Elem()
			l := mutex(d, "Mutex")
			l.Lock()
			object, err := field(d, "object"), field(d, "err")
			switch {
			case !err.IsNil():
				// Only NotFound is kept (other failures are not cached).
				e.State = "missing"
			case !object.IsNil():
				e.State = "synced"
				if object.Type() != reflect.TypeFor[runtime.Object]() {
					panic(fmt.Sprintf("objectData.object is %s, not a runtime.Object", object.Type()))
				}
				e.ResourceVersion = resourceVersionOf(*(*runtime.Object)(unsafe.Pointer(object.UnsafeAddr())))
			}
			l.Unlock()
		}
		out = append(out, e)
	}
	return out
}

// watchEntries reads an objectCache: items map[objectKey]*objectCacheItem{refMap, store *cacheStore{cache.Store, lock, initialized}, lock, stopped, immutable}.
func watchEntries(c reflect.Value) []entry {
	lf := field(c, "lock")
	if lf.Type() != reflect.TypeFor[sync.RWMutex]() {
		panic(fmt.Sprintf("objectCache.lock is %s, not a sync.RWMutex", lf.Type()))
	}
	lock := (*sync.RWMutex)(unsafe.Pointer(lf.UnsafeAddr()))
	lock.RLock()
	defer lock.RUnlock()
	var out []entry
	items := field(c, "items").MapRange()
	for items.Next() {
		key, item := items.Key(), items.Value().Elem()
		e := entry{Namespace: field(key, "namespace").String(), Name: field(key, "name").String()}
		refs := field(item, "refMap").MapRange()
		for refs.Next() {
			e.Refs += int(refs.Value().Int())
			e.Referrers = append(e.Referrers, refs.Key().String())
		}
		sort.Strings(e.Referrers)

		l := mutex(item, "lock")
		l.Lock()
		stopped, immutable := field(item, "stopped").Bool(), field(item, "immutable").Bool()
		l.Unlock()
		cs := field(item, "store").Elem()
		sl := mutex(cs, "lock")
		sl.Lock()
		initialized := field(cs, "initialized").Bool()
		sl.Unlock()
		sf := field(cs, "Store")
		if sf.Type() != reflect.TypeFor[cache.Store]() {
			panic(fmt.Sprintf("cacheStore.Store is %s, not a cache.Store", sf.Type()))
		}
		store := *(*cache.Store)(unsafe.Pointer(sf.UnsafeAddr()))
		object, exists, _ := store.GetByKey(e.Namespace + "/" + e.Name)
		if exists {
			e.ResourceVersion = resourceVersionOf(object)
		}
		switch {
		case immutable:
			e.State = "immutable"
		case stopped:
			e.State = "idle"
		case !initialized:
			e.State = "pending"
		case exists:
			e.State = "synced"
		default:
			e.State = "missing"
		}
		out = append(out, e)
	}
	return out
}

func resourceVersionOf(object any) string {
	accessor, err := meta.Accessor(object)
	if err != nil {
		return ""
	}
	return accessor.GetResourceVersion()
}
