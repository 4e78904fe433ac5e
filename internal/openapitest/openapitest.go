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

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

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
