package insightstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"bitbucket.org/coda-changelog/coda-changelog/internal/openapitest"
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

// document is the reports API's document, loaded once per test binary.
var document = openapitest.Document{Path: specPath, Repair: repair}

// loadSpec returns the spec. A test without it is skipped; a spec that
// does not load fails the test.
func loadSpec(t testing.TB) *spec {
	t.Helper()
	doc, router := document.Load(t)
	if len(doc.Servers) == 0 {
		t.Fatalf("insightstest: %s has no servers", specPath)
	}
	return &spec{server: doc.Servers[0].URL, router: router}
}

// repair fixes the decoded document in place, each time for something the
// document itself says elsewhere in words:
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
	schemas, _ := openapitest.Dig(root, "components", "schemas").(map[string]any)
	object, ok := schemas["object"].(map[string]any)
	if !ok {
		return fmt.Errorf("no object schema")
	}
	delete(object, "required")
	value, ok := openapitest.Dig(schemas, "report_data", "properties").(map[string]any)
	if !ok {
		return fmt.Errorf("no report_data.properties")
	}
	value["value"] = map[string]any{"description": "checked by type by insightstest"}
	members, _ := openapitest.Dig(schemas, "report", "allOf").([]any)
	for _, m := range members {
		if data, ok := openapitest.Dig(m, "properties", "data").(map[string]any); ok {
			data["maxItems"] = MaxData
			return nil
		}
	}
	return fmt.Errorf("no report.data")
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
