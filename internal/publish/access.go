package publish

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// tokenHelp says how to make a token that the pipe can use.
const tokenHelp = "In Coda, Account settings → API settings → Generate API token: restrict it to the doc, not to a table " +
	"(the pipe reads the doc, and pages and automations are outside any table), with read and write access, and store it as a secured variable"

// maxLogged bounds the bytes of text from Coda's answers (a name, a
// warning about a write) that a log line quotes: such text is short, and an
// answer that is not Coda's may be anything.
const maxLogged = 200

// preflight checks the token and the doc before anything else.
func (p *Publisher) preflight(ctx context.Context) error {
	if p.checked { // a deployment checks before it reads its table
		return nil
	}
	user, err := p.client.WhoAmI(ctx)
	var moved *coda.RedirectError
	switch {
	case errors.Is(err, coda.ErrUnreachable):
		return fmt.Errorf("cannot reach CODA_API_URL (%s): %w. Check CODA_API_URL, and that the step can reach that host (a proxy or firewall?)", p.apiHost(err), errors.Unwrap(err))
	case errors.Is(err, coda.ErrNoAnswer):
		return fmt.Errorf("CODA_API_URL (%s) took the request and did not answer: %w. Check CODA_API_URL, and that the step can reach that host (a proxy in the way?)", p.apiHost(err), err)
	case errors.Is(err, coda.ErrAnswerTooLarge):
		return fmt.Errorf("CODA_API_URL: %w. Check that CODA_API_URL is Coda's API (%s)", err, coda.DefaultBaseURL)
	case errors.As(err, &moved):
		return fmt.Errorf("CODA_API_URL: Coda answered %d and pointed at %s. The pipe does not follow it, so that the token never leaves %s; "+
			"if the API has moved there, set CODA_API_URL to its new base URL (such as %s)", moved.StatusCode, moved.Location, moved.Host, suggestBase(moved))
	case errors.Is(err, coda.ErrUnauthorized):
		return errors.New("CODA_API_TOKEN was refused by Coda (401): the token is invalid or has expired. " + tokenHelp)
	case err != nil:
		return fmt.Errorf("check CODA_API_TOKEN: %w", err)
	}
	restricted := ""
	if user.Scoped {
		restricted = " (restricted)"
	}
	p.log.Info("Coda token %q of %s%s.", words.Clip(user.TokenName, maxLogged), words.Clip(user.LoginID, maxLogged), restricted)
	doc, err := p.client.GetDoc(ctx, p.cfg.DocID)
	switch {
	case user.Scoped && errors.Is(err, coda.ErrUnauthorized):
		// A token restricted to a table may not read the doc itself:
		// the table's own check says whether it can do its job.
		p.log.Info("The token may not read doc %s itself (restricted below it); checking what it is for instead.", p.cfg.DocID)
		p.checked = true
		return nil
	case errors.Is(err, coda.ErrNotFound), errors.Is(err, coda.ErrForbidden):
		return fmt.Errorf("CODA_DOC_ID %q: no such doc, or the token cannot see it (use the id after _d in the doc's URL, and a token with access to the doc)", p.cfg.DocID)
	case err != nil:
		return fmt.Errorf("CODA_DOC_ID %q: %w", p.cfg.DocID, p.accessError(err))
	}
	p.log.Info("Doc %q%s.", words.Clip(doc.Name, maxLogged), link(words.Clip(doc.BrowserLink, maxLogged)))
	p.checked = true
	return nil
}

// apiHost is the host named by an unreachable-API error.
func (p *Publisher) apiHost(err error) string {
	var u *coda.UnreachableError
	var silent *coda.NoAnswerError
	switch {
	case errors.As(err, &u):
		return u.Host
	case errors.As(err, &silent):
		return silent.Host
	}
	return "?"
}

// suggestBase is the base URL a redirect points at: its location without
// the request's own path.
func suggestBase(e *coda.RedirectError) string {
	return strings.TrimSuffix(e.Location, e.Path)
}

// accessError explains a 401 met after the token was accepted by /whoami:
// Coda answers 401, not 403, when a restricted token is used outside its
// scope, so it is the token's restriction, not the token, that is wrong.
// Other errors are returned as they are.
func (p *Publisher) accessError(err error) error {
	var ce *coda.Error
	if !errors.Is(err, coda.ErrUnauthorized) || !errors.As(err, &ce) {
		return err
	}
	access := "read"
	if ce.Method != http.MethodGet {
		access = "write"
	}
	return fmt.Errorf("CODA_API_TOKEN is restricted and lacks %s access to %s (Coda answered 401 to %s %s). "+
		"Use a token for doc %s instead. %s: %w",
		access, p.scopeOf(ce.Path), ce.Method, ce.Path, p.cfg.DocID, tokenHelp, err)
}

// scopeOf names what a request path is about: the table, the page, the
// automation or the doc.
func (p *Publisher) scopeOf(path string) string {
	switch {
	case strings.Contains(path, "/tables/"):
		table, _, _ := strings.Cut(path[strings.Index(path, "/tables/")+len("/tables/"):], "/")
		if name, err := url.PathUnescape(table); err == nil {
			table = name // the path is escaped: "Release%20Log"
		}
		t := p.cfg.Table
		if known, ok := p.tables[table]; ok {
			t = known
		}
		return fmt.Sprintf("table %q (%s)", t.Name, t.Variable("TABLE"))
	case strings.Contains(path, "/pages/"):
		return fmt.Sprintf("page %q (CODA_PAGE)", p.cfg.Page)
	case strings.Contains(path, "/hooks/"):
		return fmt.Sprintf("automation %s (CODA_AUTOMATION_RULE_ID)", p.cfg.RuleID)
	case strings.HasPrefix(path, "/mutationStatus"):
		return "the status of its writes (/mutationStatus)"
	}
	return fmt.Sprintf("doc %s (CODA_DOC_ID)", p.cfg.DocID)
}

// automationError explains a refused automation trigger.
func (p *Publisher) automationError(err error) error {
	cfg := p.cfg
	var ce *coda.Error
	if errors.As(err, &ce) {
		switch ce.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("CODA_AUTOMATION_RULE_ID %q: no such rule in doc %s (turn on Developer Mode in Coda to see rule ids): %w", cfg.RuleID, cfg.DocID, err)
		case http.StatusUnprocessableEntity:
			return fmt.Errorf("CODA_AUTOMATION_RULE_ID %q: the rule is off or is not triggered by a webhook: %w", cfg.RuleID, err)
		}
	}
	return p.accessError(err) // the client's error names the rule
}
