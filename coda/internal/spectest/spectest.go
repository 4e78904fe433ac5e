// Package spectest validates requests and responses against Coda's OpenAPI
// spec (shared/coda/openapi.json, beside the repository checkout). It is for
// tests only: import it from _test.go files, so binaries never link
// kin-openapi.
//
// The spec is loaded with a few repairs, listed in [Load], for constructs that
// no JSON Schema validator can satisfy as written.
package spectest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"bitbucket.org/coda-changelog/coda-changelog/internal/openapitest"
)

// specPath is where the spec lives relative to the directory holding the
// repository checkout.
const specPath = "shared/coda/openapi.json"

// serverURL is the spec's server URL; request URLs are rebased onto it.
const serverURL = "https://coda.io/apis/v1"

// basePath is the API path prefix shared by the spec and the fake.
const basePath = "/apis/v1"

// Spec is a loaded, repaired Coda spec with a router over its operations.
type Spec struct {
	doc    *openapi3.T
	router routers.Router
}

// document is the spec, loaded once per test binary.
var document = openapitest.Document{Path: specPath, Repair: repair}

// Load returns the spec, loading it once per test binary. It looks for
// shared/coda/openapi.json in each directory from the working directory up;
// when there is none it skips the test. A spec that does not load fails the
// test.
//
// Load repairs the spec before use:
//   - Every allOf is flattened into one schema (properties and required
//     merged). The spec combines schemas that each say
//     additionalProperties:false, such as SelectColumnFormat =
//     allOf[SimpleColumnFormat, {options}], which no object can satisfy when
//     each part is checked on its own.
//   - Table lists viewId as required but not among its properties while
//     forbidding additional properties; viewId is added as a string property.
//   - The ColumnFormat discriminator mapping lacks link, email and reaction,
//     so those formats could never validate; they are added.
//   - CellValue is oneOf[Value, RichValue], but RichValue includes every
//     scalar, so no scalar matches exactly one; it becomes anyOf.
func Load(t testing.TB) *Spec {
	t.Helper()
	doc, router := document.Load(t)
	return &Spec{doc: doc, router: router}
}

// Version returns the spec's info.version.
func (s *Spec) Version() string { return s.doc.Info.Version }

// ValidateRequest checks a request against the spec with [Spec.CheckRequest]
// and reports a mismatch with t.Errorf.
func (s *Spec) ValidateRequest(t testing.TB, method, rawURL string, header http.Header, body []byte) {
	t.Helper()
	if err := s.CheckRequest(method, rawURL, header, body); err != nil {
		t.Errorf("spectest: %v", err)
	}
}

// ValidateResponse checks a response against the spec with
// [Spec.CheckResponse] and reports a mismatch with t.Errorf.
func (s *Spec) ValidateResponse(t testing.TB, method, rawURL string, status int, header http.Header, body []byte) {
	t.Helper()
	if err := s.CheckResponse(method, rawURL, status, header, body); err != nil {
		t.Errorf("spectest: %v", err)
	}
}

// CheckRequest checks a request against the spec: an operation matches the
// method and path, a bearer token is present, and the path and query
// parameters, headers and body conform. rawURL may point at any host:
// everything from /apis/v1 on is matched against the spec's paths.
func (s *Spec) CheckRequest(method, rawURL string, header http.Header, body []byte) error {
	in, err := s.requestInput(method, rawURL, header, body)
	if err == nil {
		err = openapi3filter.ValidateRequest(context.Background(), in)
	}
	if err != nil {
		return fmt.Errorf("request %s %s does not match the spec: %w", method, rawURL, err)
	}
	return nil
}

// CheckResponse checks a response to the request method rawURL against the
// spec: the status is declared for the operation and the body matches its
// schema for the response's Content-Type.
func (s *Spec) CheckResponse(method, rawURL string, status int, header http.Header, body []byte) error {
	in, err := s.requestInput(method, rawURL, http.Header{}, nil)
	if err == nil {
		err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in,
			Status:                 status,
			Header:                 header,
			Body:                   io.NopCloser(bytes.NewReader(body)),
			Options:                in.Options,
		})
	}
	if err != nil {
		return fmt.Errorf("response %d to %s %s does not match the spec: %w\nbody: %s", status, method, rawURL, err, body)
	}
	return nil
}

// requestInput builds the validation input for a request, rebased onto the
// spec's server URL.
func (s *Spec) requestInput(method, rawURL string, header http.Header, body []byte) (*openapi3filter.RequestValidationInput, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	_, rest, ok := strings.Cut(u.EscapedPath(), basePath)
	if !ok {
		return nil, fmt.Errorf("path %q is not under %s", u.EscapedPath(), basePath)
	}
	rebased, err := url.Parse(serverURL + rest)
	if err != nil {
		return nil, err
	}
	rebased.RawQuery = u.RawQuery
	req, err := http.NewRequest(method, rebased.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("no operation: %w", err)
	}
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			AuthenticationFunc:    checkBearer,
		},
	}, nil
}

// errNoBearer is returned when a request lacks a bearer token.
var errNoBearer = errors.New("missing Authorization: Bearer <token>")

// checkBearer checks the spec's Bearer security scheme: a request must carry
// a bearer token.
func checkBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	auth := in.RequestValidationInput.Request.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); !ok || tok == "" {
		return errNoBearer
	}
	return nil
}
