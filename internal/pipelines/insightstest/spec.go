package insightstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// specPath is where the reports API's OpenAPI subset lives, relative to the
// directory that holds the repository's checkout.
const specPath = "shared/bitbucket/code-insights-openapi.json"

// spec is the loaded, repaired OpenAPI document with a router over it. It
// checks requests the way coda/internal/spectest checks Coda's: find the
// operation, then validate parameters and body with kin-openapi.
type spec struct {
	server string // the spec's server URL, which requests are rebased onto
	router routers.Router
}

var (
	specOnce sync.Once
	loaded   *spec
	specErr  error
	specFile string
)

// loadSpec returns the spec, loaded once per test binary from the first
// directory, from the working directory up, that holds [specPath]. A test
// without it is skipped; a spec that does not load fails the test.
func loadSpec(t testing.TB) *spec {
	t.Helper()
	specOnce.Do(func() {
		specFile = findUp(specPath)
		if specFile != "" {
			loaded, specErr = readSpec(specFile)
		}
	})
	switch {
	case specFile == "":
		t.Skipf("insightstest: %s not found in any parent directory; the fake cannot check requests", specPath)
	case specErr != nil:
		t.Fatalf("insightstest: load %s: %v", specFile, specErr)
	}
	return loaded
}

// findUp returns the path of rel in the working directory or its closest
// parent that has it, or "".
func findUp(rel string) string {
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

// readSpec reads and repairs the spec at path.
//
// The repairs, each for something the document says elsewhere in words:
//   - The operations' security schemes are not defined in the subset, and
//     through the proxy a request carries no credentials at all: security
//     is dropped (the fake checks instead that no Authorization is sent).
//   - Every schema inherits `required: [type]` from the `object` base, but
//     the document's own sample requests send no type: it describes
//     answers, and is dropped.
//   - report_data.value says `type: object`, but its description's table
//     gives a number, string, boolean or {text, href} by the item's type:
//     the schema accepts any value and [checkDataValue] checks it.
//   - report.data says "Maximum 10" in words: it gets maxItems 10.
func readSpec(path string) (*spec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, err
	}
	if err := repair(root); err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	}
	fixed, err := json.Marshal(root)
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(fixed)
	if err != nil {
		return nil, err
	}
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		return nil, err
	}
	if len(doc.Servers) == 0 {
		return nil, fmt.Errorf("no servers")
	}
	return &spec{server: doc.Servers[0].URL, router: router}, nil
}

// repair applies readSpec's repairs to the decoded document.
func repair(root map[string]any) error {
	paths, _ := root["paths"].(map[string]any)
	for _, item := range paths {
		ops, _ := item.(map[string]any)
		for _, op := range ops {
			if m, ok := op.(map[string]any); ok {
				delete(m, "security")
			}
		}
	}
	schemas, _ := dig(root, "components", "schemas").(map[string]any)
	object, ok := schemas["object"].(map[string]any)
	if !ok {
		return fmt.Errorf("no object schema")
	}
	delete(object, "required")
	value, ok := dig(schemas, "report_data", "properties").(map[string]any)
	if !ok {
		return fmt.Errorf("no report_data.properties")
	}
	value["value"] = map[string]any{"description": "checked by type by insightstest"}
	members, _ := dig(schemas, "report", "allOf").([]any)
	for _, m := range members {
		if data, ok := dig(m, "properties", "data").(map[string]any); ok {
			data["maxItems"] = MaxData
			return nil
		}
	}
	return fmt.Errorf("no report.data")
}

// dig returns the value at a path of object keys, or nil.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// check validates one request, its URL already the API's (any scheme and
// host), against the spec.
func (s *spec) check(method, rawURL string, header http.Header, body []byte) error {
	_, rest, ok := strings.Cut(rawURL, "/2.0/")
	if !ok {
		return fmt.Errorf("%s is not under /2.0/", rawURL)
	}
	req, err := http.NewRequest(method, s.server+"/"+rest, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = header.Clone()
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("no operation %s %s in the spec: %w", method, rawURL, err)
	}
	err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true},
	})
	if err != nil {
		return fmt.Errorf("%s %s does not match the spec: %s", method, rawURL, brief(err))
	}
	return nil
}

// brief says where a body breaks its schema and why, without the schema
// and the whole value that kin-openapi's message adds.
func brief(err error) string {
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		return err.Error()
	}
	for inner := se; inner != nil && inner.Origin != nil; { // allOf keeps the cause in Origin
		if !errors.As(inner.Origin, &inner) {
			break
		}
		se = inner
	}
	return fmt.Sprintf("at /%s: %s", strings.Join(se.JSONPointer(), "/"), se.Reason)
}
