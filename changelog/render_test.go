package changelog

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/<name>.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file: run go test ./changelog -update")
	require.Equal(t, string(want), string(got), "output differs from %s (run with -update and review the diff)", path)
}

// shopRepo is the repository of the sample releases.
var shopRepo = Repository{FullName: "acme/shop", URL: "https://bitbucket.org/acme/shop"}

// shopLinks links as Bitbucket Cloud does, so that the golden files show
// links of the shape the pipe publishes.
var shopLinks Links = repoLinks{shopRepo.URL}

// repoLinks makes links under a repository's web page.
type repoLinks struct{ base string }

func (l repoLinks) Commit(sha string) string { return l.base + "/commits/" + sha }

func (l repoLinks) PullRequest(n int) string { return fmt.Sprintf("%s/pull-requests/%d", l.base, n) }

// sampleRelease builds a release from a repository with every kind of
// entry; edit, when given, changes the release options.
func sampleRelease(t *testing.T, edit ...func(*ReleaseOptions)) Release {
	t.Helper()
	sample.once.Do(func() { sample.rng, sample.h, sample.ok = readSample(t) })
	if !sample.ok {
		t.Fatal("the sample history could not be read: see the first test that failed")
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	n := 128
	opts := ReleaseOptions{
		Location:   berlin,
		Repository: shopRepo,
		Build:      Build{Number: &n, Branch: "main", URL: shopRepo.URL + "/pipelines/results/128"},
		Links:      shopLinks,
		IssueURL:   "https://acme.atlassian.net/browse/{key}",
	}
	for _, f := range edit {
		f(&opts)
	}
	h := sample.h
	h.Entries = slices.Clone(h.Entries) // NewRelease sets the entries' dates and links in place
	return NewRelease(sample.rng, h, opts)
}

// sample is [sampleRelease]'s range and history, read once: the history
// never changes, and making it is most of the package's git processes.
var sample struct {
	once sync.Once
	rng  Range
	h    History
	ok   bool
}

// readSample makes the sample history and reads its build.
func readSample(t *testing.T) (Range, History, bool) {
	t.Helper()
	r := gittest.New(t)
	r.Commit("feat: the first release")
	r.Tag("v1.4.0")
	r.PullRequest(42, "feature/SHOP-7-cart", "feat(cart): persistent cart",
		"feat(cart): keep the cart between visits\n\nStored in local storage.\n\nRefs: SHOP-8",
		"fix(cart): round totals *correctly* <b>now</b>")
	r.Commit("perf: cache [prices](http://evil.example) & {{ .Token }}")
	r.Commit("feat(api)!: remove the v1 endpoints\n\nBREAKING CHANGE: clients must call /v2;\nsee the migration guide.")
	r.Commit("refactor: split the checkout service")
	r.Commit("deploy: a custom type")
	r.Commit("# Not a heading\n\nJust a message.")
	bad := r.Commit("feat: experimental search")
	r.Revert(bad)
	r.Commit("Merged in fix/login (pull request #43)\n\nfix(auth): accept upper-case e-mails\n\n* fix(auth): accept upper-case e-mails\n\nApproved-by: Jane Doe")

	rng, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	return rng, h, true
}

func TestRenderBuiltinNotes(t *testing.T) {
	t.Parallel()
	rel := sampleRelease(t)
	md, err := BuiltinNotes().Render(rel)
	require.NoError(t, err)
	golden(t, t.Name(), []byte(md))
	require.True(t, strings.HasPrefix(md, "## v2.0.0 ("), "a breaking change makes the next major version")
}

func TestRenderSectionTitles(t *testing.T) {
	t.Parallel()
	rel := sampleRelease(t, func(o *ReleaseOptions) {
		o.Sections = []SectionTitle{
			{Type: "fix", Title: "Fixes"},
			{Type: "Deploy", Title: "Deployments"},
			{Type: "feat", Title: ""},
			{Type: "other", Title: "Misc *stuff*"},
			{Type: "fix", Title: "listed twice: the first counts"},
			{Type: "style", Title: "no entries, no section"},
		}
	})
	md, err := BuiltinNotes().Render(rel)
	require.NoError(t, err)
	golden(t, t.Name(), []byte(md))

	var titles []string
	for _, s := range rel.Sections() {
		titles = append(titles, s.Title)
	}
	require.Equal(t, []string{"Fixes", "Deployments", "Misc *stuff*", "Performance Improvements", "Code Refactoring"}, titles)
	require.Len(t, rel.Entries, 8, "a hidden type's entries stay in the release")
	require.Contains(t, md, "clients must call /v2", "a hidden type's breaking change is still listed")
	require.NotContains(t, md, "keep the cart between visits", "a hidden type is not in the notes")
}

func TestRenderNewContributors(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: the first release")
	r.Tag("v1.0.0")
	r.CommitAs("Jane *Doe* <jane@example.com>", "fix: a first fix")
	r.Commit("feat: by the usual author")
	r.CommitAs("John Roe <john@example.com>", "docs: a first typo")
	rng, h := readBuild(t, r, RangeOptions{}, ReadOptions{NewContributors: true})
	rel := NewRelease(rng, h, ReleaseOptions{Repository: shopRepo, Links: shopLinks})

	md, err := BuiltinNotes().Render(rel)
	require.NoError(t, err)
	golden(t, t.Name(), []byte(md))
	require.True(t, strings.HasSuffix(md, "\n\n**New contributors:** Jane \\*Doe\\*, John Roe\n"), "names are escaped:\n%s", md)

	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, rel))
	require.Contains(t, buf.String(), `"new_contributors": [
    {
      "name": "Jane *Doe*",
      "email": "jane@example.com"
    },
    {
      "name": "John Roe",
      "email": "john@example.com"
    }
  ],`)
}

func TestRenderJSON(t *testing.T) {
	t.Parallel()
	rel := sampleRelease(t)
	var err error
	rel.Markdown, err = BuiltinNotes().Render(rel)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, rel))
	golden(t, t.Name(), buf.Bytes())
}

func TestRenderEmptyRelease(t *testing.T) {
	t.Parallel()
	rel := Release{Version: "v1.0.1", Date: gittest.Epoch}
	md, err := BuiltinNotes().Render(rel)
	require.NoError(t, err)
	require.Equal(t, "## v1.0.1 (2026-01-05)\n\nNo changes.\n", md)
}

func TestRenderEveryEntryHidden(t *testing.T) {
	t.Parallel()
	chores := []Entry{{SHA: strings.Repeat("c", 40), ShortSHA: "ccccccc", Type: "chore", Subject: "tidy"}}
	for name, tt := range map[string]struct {
		entries      []Entry
		contributors []Person
		want         string
	}{
		"only hidden types": {chores, nil, "## v1.0.1 (2026-01-05)\n\nNo notable changes.\n"},
		"with a new contributor": {chores, []Person{{Name: "Eve"}},
			"## v1.0.1 (2026-01-05)\n\nNo notable changes.\n\n**New contributors:** Eve\n"},
		"a hidden breaking change is still listed": {
			[]Entry{{SHA: strings.Repeat("d", 40), ShortSHA: "ddddddd", Type: "chore", Subject: "drop Node 18", Breaking: true, BreakingNote: "Node 20 or later"}}, nil,
			"## v1.0.1 (2026-01-05)\n\n### ⚠ BREAKING CHANGES\n\n- Node 20 or later (ddddddd)\n",
		},
	} {
		rel := NewRelease(Range{To: tt.entries[0].SHA}, History{Date: gittest.Epoch, Entries: tt.entries, NewContributors: tt.contributors},
			ReleaseOptions{Version: "v1.0.1", Sections: []SectionTitle{{Type: "chore"}}})
		md, err := BuiltinNotes().Render(rel)
		require.NoError(t, err, name)
		require.Equal(t, tt.want, md, name)
	}
}

func TestRenderCustomTemplate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "notes.tmpl")
	tmpl := `Release {{.Version}} of {{.Repository.FullName}}
{{range .Sections}}[{{.Title}}]
{{range .Entries}}* {{md .Subject}}{{with .PullRequest}} {{pr .}}{{end}}
{{end}}{{end}}{{len .BreakingChanges}} breaking`
	require.NoError(t, os.WriteFile(path, []byte(tmpl), 0o644))
	notes, err := LoadNotes(path)
	require.NoError(t, err)
	one := 7
	rel := Release{
		Version:    "v2.0.0",
		Repository: shopRepo,
		Links:      shopLinks,
		Entries: []Entry{
			{Type: "feat", Subject: "add {{ .Secret }} *stars*", PullRequest: &one, Breaking: true},
			{Type: "fix", Subject: "mend"},
		},
	}
	got, err := notes.Render(rel)
	require.NoError(t, err)
	want := "Release v2.0.0 of acme/shop\n[Features]\n* add {{ .Secret }} \\*stars\\* https://bitbucket.org/acme/shop/pull-requests/7\n[Bug Fixes]\n* mend\n1 breaking"
	require.Equal(t, want, got, "commit text is data, never template syntax")
}

func TestLoadNotesErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.tmpl")
	require.NoError(t, os.WriteFile(broken, []byte("line one\n{{range .Entries}}\n{{.Subject}\n"), 0o644))
	_, err := LoadNotes(broken)
	require.ErrorContains(t, err, "broken.tmpl:3", "the error names the file and line")

	_, err = LoadNotes(filepath.Join(dir, "missing.tmpl"))
	require.ErrorContains(t, err, "missing.tmpl")

	// A template that parses but fails on the data fails before publishing.
	failing := filepath.Join(dir, "failing.tmpl")
	require.NoError(t, os.WriteFile(failing, []byte("{{.NoSuchField}}"), 0o644))
	notes, err := LoadNotes(failing)
	require.NoError(t, err)
	_, err = notes.Render(Release{})
	require.ErrorContains(t, err, "NoSuchField")
}

func TestEscapeMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"*bold* _it_ `code`", `\*bold\* \_it\_ \` + "`" + `code\` + "`"},
		{"[link](http://x)", `\[link\](http://x)`},
		{"<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"# heading", `\# heading`},
		{"- item", `\- item`},
		{"1. first", `1\. first`},
		{"2024) a year", `2024\) a year`},
		{"1.5 is a version", "1.5 is a version"},
		{"> quote", `\> quote`},
		{"a | b ~~c~~ &amp;", `a \| b \~\~c\~\~ \&amp;`},
		{"two\nlines\r\n", "two lines"},
		{"C:\\path", `C:\\path`},
		{"{{ .Token }}", "{{ .Token }}"},
		{"", ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, EscapeMarkdown(tt.in), "EscapeMarkdown(%q)", tt.in)
	}
}

func TestSectionsOrder(t *testing.T) {
	t.Parallel()
	rel := Release{Entries: []Entry{
		{Type: "other"}, {Type: "zeta"}, {Type: "chore"}, {Type: "fix"}, {Type: "alpha"}, {Type: "feat"}, {Type: "revert"}, {Type: "perf"},
	}}
	var got []string
	for _, s := range rel.Sections() {
		got = append(got, s.Title)
	}
	require.Equal(t, []string{"Features", "Bug Fixes", "Performance Improvements", "Reverts", "Chores", "alpha", "zeta", "Other Changes"}, got)
}

func TestOneLine(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                     "",
		"one line":             "one line",
		"  padded  ":           "padded",
		"two\nlines":           "two lines",
		"crlf\r\nand\ttabs  x": "crlf and tabs x",
		"\n\n":                 "",
		"ünïcödé\u00a0kept":    "ünïcödé\u00a0kept",
		"a  b":                 "a b",
		"trailing\n":           "trailing",
	} {
		require.Equal(t, want, oneLine(in), "oneLine(%q)", in)
	}
}

// FuzzNotes checks that no commit text can change the structure of the
// built-in notes: whatever the subject, scope and breaking note, the notes
// have exactly the headings and bullets the release calls for, one line
// each.
func FuzzNotes(f *testing.F) {
	f.Add("plain subject", "api", "", "Jane Doe")
	f.Add("# heading\n- item\n\n## v9.9.9", "x)**", "BREAKING\n### fake section", "- Bob\n\n## v0")
	f.Add("[link](javascript:alert(1)) <script> {{ .Token }} | a | b |", "", "1. not a list", "**Eve**")
	f.Add("\r\n\t", "\n", "\u2028line separator", "")
	f.Fuzz(func(t *testing.T, subject, scope, note, name string) {
		pr := 7
		rel := Release{Version: "v1.0.0", Repository: shopRepo, Links: shopLinks, NewContributors: []Person{{Name: name}}, Entries: []Entry{
			{SHA: strings.Repeat("a", 40), ShortSHA: "aaaaaaa", Type: "feat", Scope: scope, Subject: subject,
				Breaking: true, BreakingNote: note, PullRequest: &pr, Issues: []string{"ABC-1"}},
			{SHA: strings.Repeat("b", 40), ShortSHA: "bbbbbbb", Type: "fix", Subject: subject},
		}}
		md, err := BuiltinNotes().Render(rel)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(md, "\n"), "\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, "**New contributors:** ") {
			t.Fatalf("the last line does not name the new contributors: %q\n%s", last, md)
		}
		var headings, bullets int
		for _, line := range lines[:len(lines)-1] {
			switch {
			case strings.HasPrefix(line, "#"):
				headings++
			case strings.HasPrefix(line, "- "):
				bullets++
			case line != "":
				t.Fatalf("a line that is neither heading nor bullet: %q\n%s", line, md)
			}
		}
		// The release heading, BREAKING CHANGES, Features and Bug Fixes; the
		// breaking entry is listed twice.
		if headings != 4 || bullets != 3 {
			t.Fatalf("%d headings and %d bullets, want 4 and 3:\n%s", headings, bullets, md)
		}
	})
}

// TestLoadNotesDocumentsEveryFunction keeps the doc comment of LoadNotes,
// which users read to write a TEMPLATE, in step with the functions a
// template can call.
func TestLoadNotesDocumentsEveryFunction(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "render.go", nil, parser.ParseComments)
	require.NoError(t, err)
	var doc string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "LoadNotes" {
			doc = fn.Doc.Text()
		}
	}
	require.NotEmpty(t, doc, "LoadNotes has a doc comment")
	words := strings.FieldsFunc(doc, func(r rune) bool { return r == ' ' || r == ',' || r == '\n' || r == '.' })
	for name := range (Release{}).templateFuncs() {
		require.Contains(t, words, name, "the doc comment of LoadNotes lists the template function %s", name)
	}
}

func TestBuiltinNotesIsACustomTemplate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "notes.tmpl")
	require.NoError(t, os.WriteFile(path, []byte(BuiltinTemplate), 0o644))
	custom, err := LoadNotes(path)
	require.NoError(t, err)
	rel := sampleRelease(t)
	want, err := BuiltinNotes().Render(rel)
	require.NoError(t, err)
	got, err := custom.Render(rel)
	require.NoError(t, err)
	require.Equal(t, want, got, "a TEMPLATE holding the README's copy renders the built-in notes")
}

// TestNotesSizeHint checks that the built-in notes fit the buffer Render
// makes for them, so that it never grows (and copies) them, and that the
// estimate does not waste much more than the notes take.
func TestNotesSizeHint(t *testing.T) {
	t.Parallel()
	synthetic := builder{}
	synthetic.issues, _ = NewIssueMatcher("")
	require.NoError(t, ReadLog(bytes.NewReader(syntheticLog(300)), func(c Commit) error { synthetic.add(c); return nil }))
	pr := 1234567
	for name, rel := range map[string]Release{
		"sample": sampleRelease(t),
		"sections": sampleRelease(t, func(o *ReleaseOptions) {
			o.Sections = []SectionTitle{{Type: "feat", Title: ""}}
		}),
		"no links": sampleRelease(t, func(o *ReleaseOptions) { o.Links, o.IssueURL = nil, "" }),
		"synthetic": NewRelease(Range{To: strings.Repeat("a", 40)}, History{Entries: synthetic.result()}, ReleaseOptions{
			Links: shopLinks, IssueURL: "https://acme.atlassian.net/browse/{key}?from=notes&key={key}",
		}),
		"escaped": NewRelease(Range{To: strings.Repeat("b", 40)}, History{
			Entries: []Entry{{
				SHA: strings.Repeat("b", 40), ShortSHA: "bbbbbbb", Type: "fix", Scope: "<*_*>",
				Subject: "**[every](character) `is` <escaped> | ~~here~~ & \\**", PullRequest: &pr,
				Breaking: true, BreakingNote: "__*__*__*__", Issues: []string{"AB-1", "AB-2"},
			}},
			NewContributors: []Person{{Name: "*Eve*"}, {Name: "_Bob_"}},
		}, ReleaseOptions{Links: shopLinks, IssueURL: "https://x.example/<{key}>"}),
	} {
		md, err := BuiltinNotes().Render(rel)
		require.NoError(t, err)
		hint := notesSizeHint(rel)
		require.GreaterOrEqual(t, hint, len(md), "%s: the notes outgrow their buffer", name)
		require.Less(t, hint, len(md)+len(md)/4+256, "%s: the buffer is much larger than the notes", name)
	}
}

// TestRefs pins the references of an entry: links whose destinations
// cannot end early, and plain text where the release knows no link.
func TestRefs(t *testing.T) {
	t.Parallel()
	pr := 12
	e := Entry{SHA: strings.Repeat("c", 40), ShortSHA: "ccccccc", PullRequest: &pr, Issues: []string{"AB-1", "A_B-2"}}
	tests := []struct {
		name string
		rel  Release
		want string
	}{
		{"links", Release{Links: repoLinks{"https://host.example/a b(c)"}, issueURL: "https://jira.example/browse/{key}?q=<{key}>"},
			" ([ccccccc](https://host.example/a%20b%28c%29/commits/" + strings.Repeat("c", 40) + "))" +
				" ([#12](https://host.example/a%20b%28c%29/pull-requests/12))" +
				" ([AB-1](https://jira.example/browse/AB-1?q=%3CAB-1%3E), [A\\_B-2](https://jira.example/browse/A_B-2?q=%3CA_B-2%3E))"},
		{"no links", Release{}, " (ccccccc) (#12) (AB-1, A\\_B-2)"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.rel.refs(&e), tt.name)
	}
}

// WriteJSON streams the entries, and must write exactly what one
// json.Encoder writes for the whole value.
func TestWriteJSONIsTheEncoders(t *testing.T) {
	t.Parallel()
	want := func(v any) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(v))
		return b.String()
	}
	full := sampleRelease(t)
	full.Entries[0].Body = "a <b> & \"c\"\n\"entries\": null\n  \"entries\": null"
	// Notes longer than one piece of writeJSONString, that name the
	// members spliced in by hand.
	full.Markdown = strings.Repeat("## é <b> \"markdown\": \"\"\n  \"entries\": null\n\xff\u2028 😀\t", jsonPiece/30)
	empty := sampleRelease(t)
	empty.Entries = []Entry{}
	none := sampleRelease(t)
	none.Entries = nil
	for name, rel := range map[string]Release{"full": full, "empty": empty, "none": none, "zero": {}} {
		var got bytes.Buffer
		require.NoError(t, WriteJSON(&got, rel))
		require.Equal(t, want(rel), got.String(), name)
	}
	for name, rels := range map[string][]Release{"backfill": {none, full, empty}, "one": {full}, "empty": {}, "nil": nil} {
		var got bytes.Buffer
		require.NoError(t, WriteJSON(&got, rels))
		require.Equal(t, want(rels), got.String(), name)
	}
}

// TestBulletsInPieces: a section longer than a piece comes out in several
// pieces of about bulletsPiece bytes, which together are the section as
// one entry after the other writes it.
func TestBulletsInPieces(t *testing.T) {
	t.Parallel()
	b := builder{}
	b.issues, _ = NewIssueMatcher("")
	require.NoError(t, ReadLog(bytes.NewReader(syntheticLog(2000)), func(c Commit) error { b.add(c); return nil }))
	rel := NewRelease(Range{To: strings.Repeat("a", 40)}, History{Entries: b.result()}, ReleaseOptions{Links: shopLinks})
	var entries []*Entry
	for i := range rel.Entries {
		entries = append(entries, &rel.Entries[i])
	}
	var want strings.Builder
	for _, e := range entries {
		want.WriteString("\n- " + rel.entry(e))
	}
	require.Greater(t, want.Len(), 3*bulletsPiece)
	var got strings.Builder
	pieces := 0
	for piece := range rel.bullets(entries) {
		require.Less(t, len(piece), bulletsPiece+1024, "piece %d", pieces)
		got.WriteString(piece)
		pieces++
	}
	require.Equal(t, want.String(), got.String())
	require.Equal(t, want.Len()/bulletsPiece+1, pieces)
	for range rel.bullets(entries) {
		break // a template's range that stops early stops it
	}
	for range rel.bullets(nil) {
		t.Fatal("no entries, no pieces")
	}
}
