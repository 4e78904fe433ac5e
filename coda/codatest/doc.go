// Package codatest provides a fake of the Coda REST API v1 for tests, in the
// spirit of [net/http/httptest].
//
// A [Server] keeps docs, tables, views, columns, rows, pages and webhook
// automations in memory and serves the endpoints a changelog publisher needs
// under [BasePath], with the response shapes of Coda's OpenAPI spec. It behaves
// as Coda is documented to: writes answer 202 and apply after a delay
// ([WithWriteDelay]); GET /mutationStatus answers 404 at first
// ([WithStatusNotFoundFor]); rate limits answer 429 ([WithRateLimits]); bodies
// over 2 MB and rows over 85 KB are refused; views, formula columns and
// unknown columns refuse writes. Rows can be read one at a time and deleted.
// It can also fail on purpose ([WithFaults]): server errors, server errors
// to writes that were applied all the same, and connections dropped before
// or after a write is accepted.
//
// Pages are lists of elements with ids ("cl-…"), as listPageContent shows
// them; a page update may insert relative to one element (elementId), and
// deletePageContent deletes the elements named ([Server.PageElements] shows
// them to a test).
// It records every request ([Server.Requests], [Server.Stats]) so tests can
// check what a client sent.
//
// Reads with the header "X-Coda-Doc-Version: latest" get a 400 "Doc is not yet
// up to date." while writes to the doc are pending.
//
// # Cell values
//
// Coda's users report, beyond the OpenAPI spec (shared reference coda-api.md,
// "What Coda's users report"), that written values are text Coda parses per
// column type "the same way as when you type" them (community thread
// /t/31532/2), that disableParsing turns that off (/t/25259/4, /t/24045),
// that a person cell takes a doc member's e-mail or full name and otherwise
// stays text (/t/6743/2; Zapier's Coda help), that a lookup cell takes the
// target row's display value or row ID (/t/42955/15), and that a value that
// does not resolve still gives 202 and a completed mutationStatus. The fake
// models this when a write applies (so against the rows as they are then):
//
//   - With disableParsing=true every string is stored as the text sent, in
//     every column type: a person or lookup cell keeps the raw text. JSON
//     numbers and booleans are stored as sent, with or without parsing.
//   - With parsing (disableParsing absent or false), each string (each
//     element of an array) is read as typed into the column: a person column
//     takes the [Doc.People] member whose e-mail or name matches, ignoring
//     case and surrounding spaces; a lookup column ([Column.Table]) takes
//     the target row whose ID or display value equals the text (exactly,
//     after trimming spaces); a checkbox takes "true" or "false" (any case);
//     number, percent, currency, slider and scale columns take numbers; date
//     and dateTime columns take "2006-01-02" or RFC 3339 (a date column keeps
//     the date part); in a text column, text starting with "=" becomes a
//     formula whose value is the result of an integer expression of "+", "-"
//     and "*" (no parentheses) or, for anything else, the error text "#ERROR!".
//     Whatever does not resolve stays the text sent. Other column types keep
//     the text.
//   - Reads (listRows, getRow and [Server.Rows]) render cells as the spec's
//     valueFormat describes: simple shows a person by name, a lookup by the
//     row's display value, a date as ISO 8601 with the doc's offset (every
//     fake doc is in UTC, "2025-06-01T00:00:00.000+00:00"), a formula by its
//     result, arrays comma-joined; simpleWithArrays keeps arrays; rich wraps
//     text in triple backticks and gives a person as a schema.org Person
//     {name, email} and a lookup as a StructuredValue row reference
//     {additionalType:"row", name, rowId, tableId, tableUrl, url}.
//
// # Access
//
// Besides its full token ([WithToken]) a server accepts restricted tokens
// ([WithTokens]), scoped to a doc or one table and to read (GET), write
// (POST, PUT, DELETE) or both, as the spec's securitySchemes describe, which
// exempt /whoami and /resolveBrowserLink (the fake does not serve the latter). An out-of-scope call answers 401, not 403, as users
// report (community.coda.io/t/http-401-for-restricted-tokens/27790). Whether
// a restricted token may call /mutationStatus is undocumented: the fake
// allows it unless [WithMutationStatusRefusedForScoped].
// [WithRowDeletesForbidden] makes row deletes answer 403, and [WithRedirect]
// answers every call with a 307 to another host, as a moved API would.
//
// Not served, as the client never calls them: createPage, row update and
// row buttons. Not modelled:
// syncToken, embed and sync pages, currency, link and image values, doc time
// zones, doc listing and analytics limits.
//
// The fake does not share code with the client package: it is an independent
// reading of Coda's documentation, so it catches client bugs instead of
// repeating them.
//
// Use [NewServer] for a real loopback listener, or [NewUnstarted] with
// [Server.Client] for an in-memory transport that works inside a
// [testing/synctest] bubble, where write delays, rate-limit windows and
// client backoff run on virtual time.
//
// A test seeds a doc, points the code under test at [Server.URL] through
// [Server.Client], and inspects the state the writes left:
//
//	synctest.Test(t, func(t *testing.T) {
//		srv := codatest.NewUnstarted(codatest.WithWriteDelay(2 * time.Second))
//		doc := srv.AddDoc(codatest.Doc{
//			Name: "Changelog",
//			Tables: []codatest.Table{{
//				Name: "Releases",
//				Columns: []codatest.Column{
//					{Name: "Version"},
//					{Name: "Date", Type: "date"},
//				},
//			}, {
//				// One row per deployment; see Example_deployments.
//				Name: "Deployments",
//				Columns: []codatest.Column{
//					{Name: "Deployment"},
//					{Name: "Environment"},
//					{Name: "Status", Type: "select", Options: []string{"SUCCESSFUL", "FAILED"}},
//					{Name: "Deployed at", Type: "dateTime"},
//				},
//			}},
//			Pages: []codatest.Page{{Name: "Release notes"}},
//		})
//		// ... run the code under test against srv.URL with srv.Client()
//		// and the token codatest.DefaultToken ...
//		time.Sleep(2 * time.Second) // virtual: lets queued writes apply
//		rows := srv.Rows(doc.ID, "Releases")
//		notes := srv.PageMarkdown(doc.ID, "Release notes")
//	})
package codatest
