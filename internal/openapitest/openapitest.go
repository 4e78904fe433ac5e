// Package openapitest loads the OpenAPI documents kept beside the
// repository's checkout (shared/coda/openapi.json,
// shared/bitbucket/code-insights-openapi.json) for the checks that tests and
// fakes make of requests: find the document, repair what no validator can
// check as written, and route requests to its operations with kin-openapi.
// It is for tests and fakes only, so that binaries never link kin-openapi.
package openapitest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Document is an OpenAPI document found with [Find] and loaded with
// [Load] once per test binary, however many tests ask for it.
type Document struct {
	// Path is where the document lives relative to a directory that
	// holds the repository's checkout, such as shared/coda/openapi.json.
	Path string
	// Repair changes the decoded document before it is loaded; nil for
	// none.
	Repair func(root map[string]any) error

	once   sync.Once
	file   string
	doc    *openapi3.T
	router routers.Router
	err    error
}

// Load returns the document and its router. A test that cannot find it is
// skipped; a document that does not load fails the test.
func (d *Document) Load(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	d.once.Do(func() {
		if d.file = Find(d.Path); d.file != "" {
			d.doc, d.router, d.err = Load(d.file, d.Repair)
		}
	})
	switch {
	case d.file == "":
		t.Skipf("%s not found in any parent directory; the requests cannot be checked against it", d.Path)
	case d.err != nil:
		t.Fatalf("load %s: %v", d.file, d.err)
	}
	return d.doc, d.router
}

// Find returns the path of rel (slash-separated) in the working directory
// or the closest of its parents that has it, or "" when none does.
func Find(rel string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Load reads the document at path, lets repair change its decoded JSON in
// place (nil for none), and returns it validated, with a router over its
// operations.
func Load(path string, repair func(root map[string]any) error) (*openapi3.T, routers.Router, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, nil, err
	}
	if repair != nil {
		if err := repair(root); err != nil {
			return nil, nil, fmt.Errorf("repair: %w", err)
		}
	}
	fixed, err := json.Marshal(root)
	if err != nil {
		return nil, nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(fixed)
	if err != nil {
		return nil, nil, err
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, nil, fmt.Errorf("invalid spec: %w", err)
	}
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		return nil, nil, err
	}
	return doc, router, nil
}

// Dig returns the value at a path of object keys in decoded JSON, or nil.
func Dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
