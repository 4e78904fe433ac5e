// Command gen writes a git fast-import stream of a synthetic, realistic
// repository history to standard output, deterministically from a seed:
//
//	go run ./bench/gen -commits 20000 -seed 1 | git -C repo fast-import
//
// The history is a main branch into which feature branches are merged with
// Bitbucket Cloud's "Merged in feature/X (pull request #N)" message (about
// one pull request merge per ten commits), with a few direct commits on main
// between merges. Messages are mostly Conventional Commits (feat, fix,
// chore, docs, refactor, perf, test, with scopes, multi-paragraph bodies,
// footers such as "Refs: ABC-123" and "Reviewed-by:", occasional
// "BREAKING CHANGE:"), with some non-conventional and some very long
// messages. Annotated release tags (v1.2.3) are placed on main every few
// hundred commits; the last one is a few hundred commits before the tip, so
// the default range of the pipe (previous tag to HEAD) is one release.
//
// The stream counts exactly -commits commits, merges included. It only uses
// the standard library, so the same seed gives the same repository (and the
// same hashes) with any Go and git version.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

var (
	types    = []string{"feat", "fix", "chore", "docs", "refactor", "perf", "test"}
	typeW    = []int{30, 30, 12, 8, 10, 4, 6}
	scopes   = []string{"api", "auth", "billing", "cart", "checkout", "ci", "config", "core", "db", "deps", "i18n", "search", "ui", "payments", "notifications", "export", "admin", "cli", "cache", "sync"}
	projects = []string{"ABC", "SHOP", "PAY", "OPS", "WEB", "MOB"}
	verbs    = []string{"add", "handle", "support", "remove", "rename", "fix", "update", "improve", "avoid", "cache", "validate", "retry", "log", "expose", "deprecate", "simplify", "speed up", "document", "split", "merge"}
	objects  = []string{"the order total", "empty carts", "expired tokens", "currency rounding", "webhook retries", "the search index", "pagination cursors", "invoice PDFs", "the login form", "rate limits", "time zones", "CSV export", "stale sessions", "the settings page", "refunds", "discount codes", "the health check", "slow queries", "feature flags", "the audit log", "image uploads", "password resets", "the dashboard", "SKU lookups", "shipping labels"}
	words    = strings.Fields(`the a an and or but of to in on for with without when while because so that this it is was be are
		request response handler service client server cache query index table column row user account order cart payment invoice
		token session header value field error retry timeout limit page cursor batch queue worker job event message webhook
		returns keeps makes uses reads writes checks drops skips sends waits parses builds moves splits joins loads stores
		now still also only never always again before after instead first last each every other same new old empty large small
		slow fast safe unsafe correct wrong missing stale duplicated nested optional required default legacy internal public`)
	firstNames = []string{"Alice", "Bob", "Chloé", "Dmitri", "Emeka", "Fatima", "Gustavo", "Hana", "Ingrid", "Jamal", "Kenji", "Laura", "Mateus", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Søren", "Tomasz", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë"}
	lastNames  = []string{"Anderson", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hoang", "Ivanova", "Jones", "Kowalski", "Lee", "Müller", "Nakamura", "O'Brien", "Patel", "Rossi", "Schmidt", "Tanaka", "Williams"}
	nonConv    = []string{"Update README.md", "WIP", "Fix typo", "Merge fixes from review", "Bump version", "Address review comments", "Small cleanup", "Tweak styles", "Fix build", "More tests"}
)

type person struct{ name, email string }

type gen struct {
	r       *rand.Rand
	w       *bufio.Writer
	people  []person
	mark    int   // last mark used
	commits int   // commits written
	when    int64 // unix seconds of the last commit
	pr      int   // last pull request number
	ver     [3]int
	files   []string
}

func main() {
	n := flag.Int("commits", 20000, "number of commits, merges included")
	seed := flag.Uint64("seed", 1, "random seed")
	tagEvery := flag.Int("tag-every", 300, "average commits between release tags")
	lastRelease := flag.Int("last-release", 250, "commits after the last release tag, about")
	flag.Parse()
	if *n < 100 {
		fmt.Fprintln(os.Stderr, "gen: -commits must be at least 100")
		os.Exit(2)
	}
	g := &gen{
		r:    rand.New(rand.NewPCG(*seed, 0x636f6461)),
		w:    bufio.NewWriterSize(os.Stdout, 1<<20),
		when: time.Date(2019, 1, 7, 9, 0, 0, 0, time.UTC).Unix(),
		ver:  [3]int{0, 1, 0},
	}
	for range 60 {
		f := firstNames[g.r.IntN(len(firstNames))]
		l := lastNames[g.r.IntN(len(lastNames))]
		email := strings.ToLower(strings.NewReplacer("é", "e", "ø", "o", "ë", "e", "í", "i", "ü", "u", "'", "").Replace(f[:1] + "." + l))
		g.people = append(g.people, person{f + " " + l, email + "@example.com"})
	}
	for _, s := range scopes {
		for i := range 12 {
			g.files = append(g.files, fmt.Sprintf("src/%s/file%02d.go", s, i))
		}
	}
	g.run(*n, *tagEvery, *lastRelease)
	if err := g.w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// run writes the whole history: cycles of direct commits on main and a
// feature branch merged by a pull request.
func (g *gen) run(n, tagEvery, lastRelease int) {
	main := g.commit("refs/heads/main", 0, 0, "chore: initial commit\n")
	nextTag := tagEvery/2 + g.r.IntN(tagEvery)
	for g.commits < n {
		// Direct commits on main (hotfixes, chores), sometimes none.
		for range g.r.IntN(3) {
			if g.commits >= n-1 {
				break
			}
			main = g.commit("refs/heads/main", main, 0, g.message())
		}
		left := n - g.commits
		if left < 3 { // no room for a branch and its merge
			for g.commits < n {
				main = g.commit("refs/heads/main", main, 0, g.message())
			}
			break
		}
		// A feature branch of 2-12 commits, forked from main; main may move
		// on meanwhile, so the merge is a real one.
		branch := g.branchName()
		k := min(2+g.r.IntN(11), left-2)
		tip := main
		for range k {
			tip = g.commit("refs/heads/pr", tip, 0, g.message())
		}
		if g.r.IntN(4) == 0 && n-g.commits >= 3 {
			main = g.commit("refs/heads/main", main, 0, g.message())
		}
		g.pr++
		main = g.commit("refs/heads/main", main, tip, g.mergeMessage(branch))
		switch left := n - g.commits; {
		case left > lastRelease+tagEvery/2 && g.commits >= nextTag:
			g.tag(main)
			nextTag = g.commits + tagEvery/2 + g.r.IntN(tagEvery)
		case left <= lastRelease && nextTag <= n:
			// The last release, about lastRelease commits before the tip.
			g.tag(main)
			nextTag = n + 1
		}
	}
}

// commit writes one commit on ref with parent from (0: none) and an optional
// second parent merge, touching one file, and returns its mark.
func (g *gen) commit(ref string, from, merge int, msg string) int {
	g.mark++
	g.commits++
	g.when += int64(60 + g.r.IntN(4*3600))
	a := g.people[g.r.IntN(len(g.people))]
	c := a
	if g.r.IntN(3) == 0 {
		c = g.people[g.r.IntN(len(g.people))]
	}
	authored := g.when - int64(g.r.IntN(3*86400))
	fmt.Fprintf(g.w, "commit %s\nmark :%d\nauthor %s <%s> %d +0000\ncommitter %s <%s> %d +0000\ndata %d\n%s\n",
		ref, g.mark, a.name, a.email, authored, c.name, c.email, g.when, len(msg), msg)
	if from != 0 {
		fmt.Fprintf(g.w, "from :%d\n", from)
	}
	if merge != 0 {
		fmt.Fprintf(g.w, "merge :%d\n", merge)
	} else {
		body := fmt.Sprintf("// change %d\npackage x\n\nconst v = %d\n", g.mark, g.r.Uint32())
		fmt.Fprintf(g.w, "M 100644 inline %s\ndata %d\n%s\n", g.files[g.r.IntN(len(g.files))], len(body), body)
	}
	g.w.WriteString("\n")
	return g.mark
}

// tag writes an annotated release tag on mark and bumps the version.
func (g *gen) tag(mark int) {
	switch x := g.r.IntN(100); {
	case x < 3:
		g.ver = [3]int{g.ver[0] + 1, 0, 0}
	case x < 45:
		g.ver = [3]int{g.ver[0], g.ver[1] + 1, 0}
	default:
		g.ver[2]++
	}
	name := fmt.Sprintf("v%d.%d.%d", g.ver[0], g.ver[1], g.ver[2])
	p := g.people[g.r.IntN(len(g.people))]
	msg := "Release " + name + "\n"
	fmt.Fprintf(g.w, "tag %s\nfrom :%d\ntagger %s <%s> %d +0000\ndata %d\n%s\n", name, mark, p.name, p.email, g.when+30, len(msg), msg)
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *gen) weighted() string {
	x := g.r.IntN(100)
	for i, w := range typeW {
		if x < w {
			return types[i]
		}
		x -= w
	}
	return types[0]
}

func (g *gen) issue() string {
	return fmt.Sprintf("%s-%d", g.pick(projects), 1+g.r.IntN(4000))
}

func (g *gen) subject() string {
	s := g.pick(verbs) + " " + g.pick(objects)
	if g.r.IntN(4) == 0 {
		s += " " + g.pick([]string{"in the checkout flow", "for guest users", "on retry", "behind a flag", "when the cache is cold", "after a timeout", "for large orders"})
	}
	return s
}

// sentence makes a sentence of 6-20 words.
func (g *gen) sentence() string {
	n := 6 + g.r.IntN(15)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.pick(words)
	}
	if g.r.IntN(8) == 0 {
		ws[g.r.IntN(n)] = g.issue()
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// paragraph wraps 1-5 sentences at 72 columns.
func (g *gen) paragraph() string {
	var ws []string
	for range 1 + g.r.IntN(5) {
		ws = append(ws, strings.Fields(g.sentence())...)
	}
	var b strings.Builder
	col := 0
	for _, w := range ws {
		if col > 0 && col+1+len(w) > 72 {
			b.WriteByte('\n')
			col = 0
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

func (g *gen) bulletList() string {
	var b strings.Builder
	for i := range 2 + g.r.IntN(4) {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("- " + g.subject())
	}
	return b.String()
}

// longText is a pasted log or stack trace of 3-30 KB.
func (g *gen) longText() string {
	var b strings.Builder
	b.WriteString("Stack trace from production:\n\n")
	target := 3000 + g.r.IntN(27000)
	for b.Len() < target {
		fmt.Fprintf(&b, "    at com.example.%s.%sService.handle(%sService.java:%d)\n",
			g.pick(scopes), strings.ToUpper(g.pick(scopes)[:1]), g.pick(scopes), 10+g.r.IntN(900))
	}
	return b.String()
}

// message makes the message of an ordinary commit.
func (g *gen) message() string {
	var paras []string
	switch x := g.r.IntN(100); {
	case x < 8: // not conventional
		h := g.pick(nonConv)
		if g.r.IntN(2) == 0 {
			h = g.issue() + ": " + g.subject()
		}
		paras = append(paras, h)
	default:
		typ := g.weighted()
		h := typ
		if g.r.IntN(5) != 0 {
			h += "(" + g.pick(scopes) + ")"
		}
		breaking := g.r.IntN(150) == 0
		if breaking && g.r.IntN(2) == 0 {
			h += "!"
		}
		h += ": " + g.subject()
		if g.r.IntN(6) == 0 {
			h += " (" + g.issue() + ")"
		}
		paras = append(paras, h)
		for range g.r.IntN(4) { // 0-3 body paragraphs
			if g.r.IntN(5) == 0 {
				paras = append(paras, g.bulletList())
			} else {
				paras = append(paras, g.paragraph())
			}
		}
		if g.r.IntN(60) == 0 {
			paras = append(paras, g.longText())
		}
		var footers []string
		if breaking {
			footers = append(footers, "BREAKING CHANGE: "+g.sentence())
		}
		if g.r.IntN(2) == 0 {
			footers = append(footers, "Refs: "+g.issue())
		}
		if g.r.IntN(3) == 0 {
			p := g.people[g.r.IntN(len(g.people))]
			footers = append(footers, fmt.Sprintf("Reviewed-by: %s <%s>", p.name, p.email))
		}
		if g.r.IntN(10) == 0 {
			p := g.people[g.r.IntN(len(g.people))]
			footers = append(footers, fmt.Sprintf("Co-authored-by: %s <%s>", p.name, p.email))
		}
		if len(footers) > 0 {
			paras = append(paras, strings.Join(footers, "\n"))
		}
	}
	return strings.Join(paras, "\n\n") + "\n"
}

func (g *gen) branchName() string {
	key := g.issue()
	slug := strings.ReplaceAll(g.subject(), " ", "-")
	kind := "feature"
	if g.r.IntN(3) == 0 {
		kind = "bugfix"
	}
	return kind + "/" + key + "-" + slug
}

// mergeMessage is Bitbucket Cloud's merge commit message: the merge line,
// the pull request title, its description, and Approved-by lines.
func (g *gen) mergeMessage(branch string) string {
	paras := []string{fmt.Sprintf("Merged in %s (pull request #%d)", branch, g.pr)}
	title := g.weighted()
	if g.r.IntN(2) == 0 {
		title += "(" + g.pick(scopes) + ")"
	}
	paras = append(paras, title+": "+g.subject())
	if g.r.IntN(2) == 0 {
		paras = append(paras, g.paragraph())
	}
	var approvals []string
	for range 1 + g.r.IntN(2) {
		approvals = append(approvals, "Approved-by: "+g.people[g.r.IntN(len(g.people))].name)
	}
	paras = append(paras, strings.Join(approvals, "\n"))
	return strings.Join(paras, "\n\n") + "\n"
}
