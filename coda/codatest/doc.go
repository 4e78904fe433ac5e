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
// unknown columns refuse writes. It can also fail on purpose ([WithFaults]):
// server errors and connections dropped before or after a write is accepted.
// It records every request ([Server.Requests], [Server.Stats]) so tests can
// check what a client sent.
//
// Reads with the header "X-Coda-Doc-Version: latest" get a 400 "Doc is not yet
// up to date." while writes to the doc are pending.
//
// Not modelled: row get, update and delete endpoints, syncToken, embed and
// sync pages, parsing of cell values (they are stored as received), doc
// listing and analytics limits, and 403s for scoped tokens.
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
