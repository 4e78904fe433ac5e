package changelog

import (
	"iter"
	"slices"
	"strconv"
	"strings"
)

// SquashMode says how a squash merge becomes entries (SQUASH_MERGES). A
// squash merge is a commit with one parent whose message is a pull request
// merge message with "* <commit message>" bullets, as Bitbucket writes by
// default: "Merged in <branch> (pull request #N)", a blank line, the pull
// request's title, then one bullet per squashed commit, oldest first. The
// default title of a pull request with several commits is its source
// branch's name, so the title is often not a Conventional Commit while every
// bullet is one.
type SquashMode string

const (
	// SquashAuto reads a squash merge as [SquashOne] when its title is a
	// Conventional Commit (written on purpose), and as [SquashSplit]
	// otherwise (a branch name, "ABC-12: ..."). It is the default.
	SquashAuto SquashMode = "auto"
	// SquashSplit makes each bullet an entry of its own when at least one
	// bullet is a Conventional Commit: type, scope, subject, body, footers,
	// breaking note and issue keys from the bullet's message; hash, date,
	// author and pull request from the squash commit ([Entry.Bullet] says
	// which bullet). Bullets that are not conventional become [TypeOther]
	// entries, and bullets that are themselves merge messages (a branch
	// synced with its target) none. A breaking title's note goes to the
	// newest entry, unless a bullet says it already. Without a
	// conventional bullet the merge is one entry, as with [SquashOne].
	SquashSplit SquashMode = "split"
	// SquashOne makes one entry of a squash merge, from its title; it is
	// breaking when the title or any bullet is (the notes of each, once),
	// and takes the first conventional bullet's type when the title is not
	// conventional.
	SquashOne SquashMode = "one"
)

// SquashModes lists the values of SQUASH_MERGES.
var SquashModes = []SquashMode{SquashAuto, SquashSplit, SquashOne}

// Key returns what tells the entry's row apart from every other one, and
// from one run to the next: the full commit hash, and for an entry made of
// one bullet of a squash merge, the hash, "#" and the bullet's number
// ("3fa4c2e…#2"). The number counts every bullet of the message from 1,
// whether it became an entry or not, so it depends neither on the filters
// nor on the mode.
func (e *Entry) Key() string {
	if e.Bullet == nil {
		return e.SHA
	}
	return e.SHA + "#" + strconv.Itoa(*e.Bullet)
}

// part is an entry to be made of a commit: the message it is read from,
// and what the commit adds to it.
type part struct {
	msg      Message
	excluded bool   // ReadOptions.ExcludeCommits matches it
	bullet   int    // its bullet's number, 0 for the whole commit
	pr       int    // the pull request, 0 for none
	also     string // text whose issue keys the entry gets too
}

// counts reports whether the part's author counts as a contributor: the
// filters of ReadOptions.ExcludeCommits keep it.
func (p part) counts() bool { return !p.excluded || p.msg.Breaking }

// bullet is one squash bullet's message, parsed.
type bullet struct {
	n      int // from 1, in message order
	header string
	msg    Message
}

// squashBullets parses the bullets of a squash merge's message m, leaving out
// those that are merge messages themselves: syncing a branch with its
// target is no change of the pull request's.
func squashBullets(m Message) []bullet {
	var out []bullet
	for i, text := range m.Merge.Bullets {
		bm := ParseMessage(text)
		if bm.Merge != nil {
			continue
		}
		out = append(out, bullet{n: i + 1, header: firstLine(text), msg: bm})
	}
	return out
}

// parts returns the entries a commit with message msg makes: one, or, for
// a squash merge that the mode splits, one per bullet, newest first (the
// bullets are oldest first). excluded says whether
// ReadOptions.ExcludeCommits matches the commit as a whole. The parts are
// valid until the next call: they reuse the builder's buffer, since nearly
// every commit makes one.
func (b *builder) parts(c Commit, msg Message, excluded bool) []part {
	whole := part{msg: msg, excluded: excluded}
	if msg.Merge != nil {
		whole.pr = msg.Merge.PullRequest
	}
	out := b.partBuf[:0]
	defer func() { b.partBuf = out[:0] }()
	if len(c.Parents) > 1 || msg.Merge == nil || len(msg.Merge.Bullets) == 0 {
		out = append(out, whole)
		return out
	}
	bullets := squashBullets(msg)
	if !b.squash.splits(msg, bullets) {
		whole.msg = foldBullets(msg, bullets)
		out = append(out, whole)
		return out
	}
	author := c.AuthorName + " <" + c.AuthorEmail + ">"
	for _, bl := range slices.Backward(bullets) {
		out = append(out, part{
			msg:      bl.msg,
			excluded: b.exclude != nil && (b.exclude.MatchString(bl.header) || b.exclude.MatchString(author)),
			bullet:   bl.n,
			pr:       whole.pr,
			also:     msg.Merge.Title,
		})
	}
	if msg.Breaking { // the title's breaking change, which no bullet may say
		out[0].msg = withBreakingNote(out[0].msg, msg.BreakingNote, bullets)
	}
	return out
}

// withBreakingNote returns m, the newest entry of a split squash merge,
// breaking with the note of the merge's breaking title ("feat!: new
// checkout") added, unless a bullet already has that note: the title is no
// entry of its own, and the bump and the notes must not lose it.
func withBreakingNote(m Message, note string, bullets []bullet) Message {
	if slices.ContainsFunc(bullets, func(b bullet) bool { return b.msg.Breaking && b.msg.BreakingNote == note }) {
		return m
	}
	if m.Breaking && m.BreakingNote != "" {
		note = m.BreakingNote + "\n\n" + note
	}
	m.Breaking, m.BreakingNote = true, note
	return m
}

// splits reports whether the mode makes an entry of each bullet of the
// squash merge m: when it splits m at all and a bullet is conventional.
func (mode SquashMode) splits(m Message, bullets []bullet) bool {
	if mode == SquashOne || (mode == SquashAuto || mode == "") && m.Conventional {
		return false
	}
	return slices.ContainsFunc(bullets, func(b bullet) bool { return b.msg.Conventional })
}

// foldBullets returns the one entry's message of a squash merge m that is
// not split: breaking when the title or any bullet is, with each distinct
// breaking note once (the title's first), and the first conventional
// bullet's type when the title has none.
func foldBullets(m Message, bullets []bullet) Message {
	var notes []string
	if m.Breaking {
		notes = append(notes, m.BreakingNote)
	}
	for _, b := range bullets {
		if b.msg.Breaking && !slices.Contains(notes, b.msg.BreakingNote) {
			notes = append(notes, b.msg.BreakingNote)
		}
	}
	if len(notes) > 0 {
		m.Breaking, m.BreakingNote = true, strings.Join(notes, "\n\n")
	}
	if m.Type == "" {
		if i := slices.IndexFunc(bullets, func(b bullet) bool { return b.msg.Conventional }); i >= 0 {
			m.Type = bullets[i].msg.Type
		}
	}
	return m
}

// commitEntries yields the indexes of the entries of the commit whose first
// entry is at first: one, or a split squash merge's, which follow each other.
func (b *builder) commitEntries(first int32) iter.Seq[int] {
	return func(yield func(int) bool) {
		commit := b.rec(int(first)).commit
		for i := int(first); i < b.n && b.rec(i).commit == commit; i++ {
			if !yield(i) {
				return
			}
		}
	}
}
