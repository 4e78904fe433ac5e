package codatest

import "time"

// Option configures a [Server] built by [NewServer] or [NewUnstarted].
type Option func(*config)

// config holds the settings options change.
type config struct {
	token             string
	writeDelay        time.Duration
	statusNotFoundFor time.Duration
	applyWarning      string
	readLag           time.Duration
	limits            Limits
	faults            Faults
	maxBodyBytes      int64
	tokens            []Token
	forbidRowDeletes  bool
	scopedNoStatus    bool
	redirectTo        string
	pageWritesAtOnce  int
}

// defaultConfig returns the settings of a server built without options.
func defaultConfig() config {
	return config{token: DefaultToken, maxBodyBytes: DefaultMaxBodyBytes}
}

// DefaultToken is the API token a [Server] accepts unless [WithToken] says otherwise.
const DefaultToken = "test-token"

// DefaultMaxBodyBytes is Coda's request size limit: larger bodies get a 400
// "Request entity too large".
const DefaultMaxBodyBytes = 2_000_000

// MaxRowBytes is Coda's row size limit, counted as 2 bytes per UTF-16 code unit of
// the row's JSON encoding.
const MaxRowBytes = 85_000

// WithToken sets the only API token the server accepts (default [DefaultToken]).
// Requests with any other bearer token, or none, get a 401.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithWriteDelay makes every accepted write take effect d after it was accepted,
// as Coda applies writes from a queue. The default is 0: a write is visible to the
// next request.
func WithWriteDelay(d time.Duration) Option {
	return func(c *config) { c.writeDelay = d }
}

// WithPageWritesAtOnce makes the server hold the first n page updates
// (PUT …/pages/{page}) until all n have arrived, then take them: n runs
// that each read the page and then write it all read it before any of
// their writes was accepted, the race that builds started together hit
// now and then. A held update is let go after [heldWriteTimeout] even if
// fewer arrived, so that a test fails rather than hangs.
func WithPageWritesAtOnce(n int) Option {
	return func(c *config) { c.pageWritesAtOnce = n }
}

// WithApplyWarning makes GET /mutationStatus/{requestId} report warning w
// with every completed write, as Coda does when it applied a write with
// caveats ("Initial page HTML was invalid.").
func WithApplyWarning(w string) Option {
	return func(c *config) { c.applyWarning = w }
}

// WithReadLag makes GET .../rows/{rowIdOrName} and GET .../rows answer
// from a copy of the doc that lags its writes by d, as Coda serves reads
// (its users report 30 s to minutes): a row created less than d ago is not
// found (nor listed), and a row updated less than d ago shows its values
// from before. A read of the latest
// version (X-Coda-Doc-Version: latest) sees every applied write.
func WithReadLag(d time.Duration) Option {
	return func(c *config) { c.readLag = d }
}

// WithStatusNotFoundFor makes GET /mutationStatus/{requestId} answer 404 for d
// after the write was accepted, as Coda does right after a write. After that it
// answers completed:false until the write is applied, then completed:true.
func WithStatusNotFoundFor(d time.Duration) Option {
	return func(c *config) { c.statusNotFoundFor = d }
}

// WithRateLimits enforces l as sliding windows: a request that would make a
// bucket hold more than N requests in any window of length Per gets a 429 and
// is not counted. A zero [Limit] is not enforced; the default enforces nothing.
// [DocumentedLimits] holds Coda's published limits.
func WithRateLimits(l Limits) Option {
	return func(c *config) { c.limits = l }
}

// WithFaults injects server errors and dropped connections at random, as
// described by f.
func WithFaults(f Faults) Option {
	return func(c *config) { c.faults = f }
}

// WithMaxBodyBytes sets the largest request body accepted (default
// [DefaultMaxBodyBytes]).
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) { c.maxBodyBytes = n }
}

// WithRowDeletesForbidden makes every row delete answer 403 "The API token
// does not grant access to this resource." and delete nothing, so that a
// client can be tested on a delete Coda refused.
func WithRowDeletesForbidden() Option {
	return func(c *config) { c.forbidRowDeletes = true }
}

// Access is what a restricted [Token] may do. Coda documents read access as
// GET, write access as POST, PUT and DELETE, and read and write access as
// every method.
type Access int

const (
	// ReadWrite allows every method.
	ReadWrite Access = iota
	// ReadOnly allows GET only.
	ReadOnly
	// WriteOnly allows POST, PUT and DELETE only.
	WriteOnly
)

// allows reports whether a allows method.
func (a Access) allows(method string) bool {
	switch a {
	case ReadOnly:
		return method == "GET" || method == "HEAD"
	case WriteOnly:
		return method == "POST" || method == "PUT" || method == "DELETE"
	}
	return true
}

// Token is a restricted API token accepted besides the server's full token
// ([WithToken]). It may call /docs/{Doc} and below, or, when Table is set,
// only /docs/{Doc}/tables/{Table} and below (the table named by ID or name),
// with the methods Access allows. /whoami (exempt in the spec, like
// /resolveBrowserLink, which the fake does not serve) is open to every token and reports
// scoped:true and Name as the token name. Any other call answers 401 with
// Coda's error body, as Coda's users report for restricted tokens.
// GET /mutationStatus is allowed unless [WithMutationStatusRefusedForScoped].
type Token struct {
	Value  string // the bearer token
	Name   string // the token's name, as whoami reports it
	Doc    string // the doc ID the token is restricted to; required
	Table  string // the table ID the token is further restricted to, if any
	Access Access
}

// WithTokens makes the server accept restricted tokens besides its full
// token. It panics when a token has no Value or no Doc.
func WithTokens(tokens ...Token) Option {
	for _, t := range tokens {
		if t.Value == "" || t.Doc == "" {
			panic("codatest: WithTokens: a token needs a Value and a Doc")
		}
	}
	return func(c *config) { c.tokens = append(c.tokens, tokens...) }
}

// WithMutationStatusRefusedForScoped makes GET /mutationStatus answer 401 to
// restricted tokens ([WithTokens]). Coda does not document whether a
// doc-restricted token may call it, since it lives outside /docs; without
// this option the fake lets every valid token call it.
func WithMutationStatusRefusedForScoped() Option {
	return func(c *config) { c.scopedNoStatus = true }
}

// WithRedirect makes the server answer every API call with a 307 whose
// Location is base followed by the call's path below [BasePath] and its
// query, as a moved API might. base should name another host, such as
// "https://docs.example.com/apis/v1". Nothing else is done with the request.
func WithRedirect(base string) Option {
	return func(c *config) { c.redirectTo = base }
}

// Limit allows at most N requests in any window of length Per. The zero Limit
// allows everything.
type Limit struct {
	N   int
	Per time.Duration
}

// Limits holds one [Limit] per Coda rate-limit bucket.
//
// Read counts every GET. Write counts every POST, PUT, PATCH and DELETE.
// DocContent counts writes that change doc content (row upserts and deletes,
// page updates); those count in Write too. Webhook automations count in Write
// only.
type Limits struct {
	Read, Write, DocContent Limit
}

// DocumentedLimits are the rate limits Coda publishes.
var DocumentedLimits = Limits{
	Read:       Limit{N: 100, Per: 6 * time.Second},
	Write:      Limit{N: 10, Per: 6 * time.Second},
	DocContent: Limit{N: 5, Per: 10 * time.Second},
}

// Faults describes failures injected at random. Each rate is the probability,
// from 0 to 1, that a request meets that failure; the rates add up, so their sum
// should not exceed 1. Seed makes the choice repeatable. The server never faults
// two requests in a row to the same method and path, so a client that retries
// always gets through.
//
// Faults are chosen after the token check and the rate limiter, so a faulted
// request counts toward the rate limits, as a real one that reached Coda would.
type Faults struct {
	// ServerErrorRate is the rate of 500, 502 and 503 answers in Coda's error
	// JSON: Coda refused the request, nothing is applied.
	ServerErrorRate float64
	// GatewayErrorRate is the rate of 502 answers with an HTML page from a
	// gateway in front of Coda that lost Coda's answer: the request was
	// processed (a write is accepted and will apply).
	GatewayErrorRate float64
	// DropBeforeRate is the rate of connections dropped before the request is
	// processed; nothing is applied.
	DropBeforeRate float64
	// DropAfterRate is the rate of connections dropped after the request was
	// processed: a write is accepted and will apply, but the response is lost.
	DropAfterRate float64
	// AppliedServerErrorRate is the rate of 500, 502 and 503 answers in
	// Coda's error JSON to writes that were processed all the same: the
	// write is accepted and will apply. Reads chosen for it are answered
	// normally. Coda does not document that its
	// error body means nothing was applied, so a client must not resend a
	// write that is not idempotent on such an answer without checking.
	AppliedServerErrorRate float64
	// Seed seeds the random choice.
	Seed int64
}
