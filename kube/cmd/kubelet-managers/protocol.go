package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"

	v1 "k8s.io/api/core/v1"
)

// request is one line on stdin. Fields that an op does not use are ignored.
type request struct {
	ID        json.RawMessage `json:"id,omitempty"`
	Op        string          `json:"op"`
	Pod       *v1.Pod         `json:"pod,omitempty"`
	Kind      string          `json:"kind,omitempty"`
	Namespace string          `json:"namespace,omitempty"`
	Name      string          `json:"name,omitempty"`
	Ms        *int64          `json:"ms,omitempty"`
	// GC asks stats to collect garbage first, so that heapBytes is the live heap.
	GC bool `json:"gc,omitempty"`
}

// answer is one line on stdout. Exactly one of the op-specific groups is set.
type answer struct {
	ID json.RawMessage `json:"id,omitempty"`

	OK *bool `json:"ok,omitempty"`

	// get
	ResourceVersion *string `json:"resourceVersion,omitempty"`
	UID             *string `json:"uid,omitempty"`
	Immutable       *bool   `json:"immutable,omitempty"`
	DataHash        *string `json:"dataHash,omitempty"`

	// advance
	Now *string `json:"now,omitempty"`

	// entries
	Entries *[]entry `json:"entries,omitempty"`

	// stats
	HeapBytes  *uint64 `json:"heapBytes,omitempty"`
	RSSBytes   *uint64 `json:"rssBytes,omitempty"`
	Goroutines *int    `json:"goroutines,omitempty"`

	Error *answerError `json:"error,omitempty"`
}

type answerError struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// hello is the first line on stdout, written once the managers exist.
type hello struct {
	Ready     bool   `json:"ready"`
	Strategy  string `json:"strategy"`
	Clock     string `json:"clock"`
	K8s       string `json:"kubernetes"`
	Protocol  int    `json:"protocol"`
	GoVersion string `json:"go"`
}

// dataHash is the lowercase hex SHA-256 of an object's data in a canonical
// form that any language can rebuild without a JSON encoder: for every entry
// of every data section, sorted by section name and then key (byte order):
//
//	section NUL key NUL decimal-length NUL value-bytes
//
// Sections are "binaryData" and "data" (a ConfigMap's data values are their
// UTF-8 bytes; a Secret's are the decoded bytes). No entries: the hash of
// the empty string.
func dataHash(sections map[string]map[string][]byte) string {
	names := make([]string, 0, len(sections))
	for name := range sections {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, section := range names {
		entries := sections[section]
		keys := make([]string, 0, len(entries))
		for k := range entries {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			value := entries[k]
			h.Write([]byte(section))
			h.Write([]byte{0})
			h.Write([]byte(k))
			h.Write([]byte{0})
			h.Write([]byte(strconv.Itoa(len(value))))
			h.Write([]byte{0})
			h.Write(value)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func secretHash(s *v1.Secret) string {
	return dataHash(map[string]map[string][]byte{"data": s.Data})
}

func configMapHash(c *v1.ConfigMap) string {
	data := make(map[string][]byte, len(c.Data))
	for k, v := range c.Data {
		data[k] = []byte(v)
	}
	return dataHash(map[string]map[string][]byte{"data": data, "binaryData": c.BinaryData})
}
