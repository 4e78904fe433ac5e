package changelog

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// bodyStore keeps the bodies and footers of a history's entries in an
// unlinked temporary file rather than in memory, for a run where only the
// release JSON reads them ([ReadOptions.BodiesForJSON]). An entry then
// keeps where its body is in the file (a [bodyPlace]), and [WriteJSON]
// reads each back as it writes the entry.
//
// It exists for memory. Bodies are most of a history's text (49 of the
// 57 MB of messages at 100,000 commits, bench/README.md), and an entry's
// body and footers are pieces of its message, so keeping them kept every
// message whole: the live heap of an OUTPUT_JSON run at 100,000 commits
// was ~110 MB against ~35 MB without bodies, its peak RSS 1.5-1.8 times a
// run's without OUTPUT_JSON. Git's own output, in the spool, holds the
// messages too, but not the bodies and footers: those are parsed from
// them (a squash merge's bullets are re-indented), and parsing every
// message again as the JSON is written cost 0.4 s at 100,000 commits.
//
// The store holds them as the JSON writes them: each string already
// escaped ([appendJSONString]), so that the escaping is done while git
// is still writing the log, not after it. Its file is unlinked as soon as
// it is made; the *os.File closes it, and the file is gone, once no
// history or release refers to the store any more.
//
// An entry's record is a uint32 length (little-endian) and then the
// escaped body, the number of footers and each footer's escaped token and
// value, each of these with a uint32 length before it; records start at
// multiples of 8 bytes.
type bodyStore struct {
	f       *os.File
	pending []byte // records not yet written to f, which follow what is
	written int64  // how many bytes of records f holds
	failed  bool   // a write failed: put takes no more
	done    bool   // finish was called: the store no longer changes
}

// bodyFlush is how many bytes of records the store gathers before it
// writes them to its file.
const bodyFlush = 256 << 10

// bodyMax is the longest text, body and footers together, that the store
// takes: its escaped form, at most six times as long, must fit a record's
// uint32 length. A longer body stays in memory.
const bodyMax = 512 << 20

// bodyPlace is where an entry's record is in its store: the record's
// offset divided by 8, plus one; 0 is none (the entry's body and footers
// are in the entry, or it has none). It takes 4 bytes, which a builder's
// record has free beside its flags, and addresses 32 GiB of records.
type bodyPlace uint32

// bodyAlign is the multiple of bytes that records start at.
const bodyAlign = 8

// newBodyStore makes a store in the temporary directory.
func newBodyStore() (*bodyStore, error) {
	f, err := os.CreateTemp("", "coda-changelog-bodies-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return &bodyStore{f: f}, nil
}

// put stores an entry's body and footers and returns where; ok is false
// when they are to be kept in memory: s is nil, a write failed, finish was
// called, the store is full, or they are longer than bodyMax.
func (s *bodyStore) put(body string, footers []Footer) (place bodyPlace, ok bool) {
	if s == nil || s.failed || s.done {
		return 0, false
	}
	at := s.written + int64(len(s.pending)) // a multiple of bodyAlign
	if at/bodyAlign+1 > math.MaxUint32 {
		return 0, false
	}
	n := len(body)
	for _, f := range footers {
		n += len(f.Token) + len(f.Value)
	}
	if n > bodyMax {
		return 0, false
	}
	start := len(s.pending)
	s.pending = append(s.pending, 0, 0, 0, 0)
	s.appendEscaped(body)
	s.pending = binary.LittleEndian.AppendUint32(s.pending, uint32(len(footers)))
	for _, f := range footers {
		s.appendEscaped(f.Token)
		s.appendEscaped(f.Value)
	}
	binary.LittleEndian.PutUint32(s.pending[start:], uint32(len(s.pending)-start-4))
	for len(s.pending)%bodyAlign != 0 {
		s.pending = append(s.pending, 0)
	}
	if len(s.pending) >= bodyFlush {
		s.flush()
	}
	return bodyPlace(at/bodyAlign + 1), true
}

// appendEscaped appends str as a JSON string, its length before it.
func (s *bodyStore) appendEscaped(str string) {
	at := len(s.pending)
	s.pending = appendJSONString(append(s.pending, 0, 0, 0, 0), str)
	binary.LittleEndian.PutUint32(s.pending[at:], uint32(len(s.pending)-at-4))
}

// flush writes the pending records to the file. When that fails, they
// stay in memory, where they are read from, and put takes no more.
func (s *bodyStore) flush() {
	if len(s.pending) == 0 {
		return
	}
	if _, err := s.f.WriteAt(s.pending, s.written); err != nil {
		s.failed = true
		return
	}
	s.written += int64(len(s.pending))
	s.pending = s.pending[:0]
}

// finish writes what is pending and ends the store's writing: from then
// on it does not change, and readers ([bodyStore.reader]) may read it
// side by side.
func (s *bodyStore) finish() {
	if s == nil || s.done {
		return
	}
	s.flush()
	if len(s.pending) == 0 {
		s.pending = nil
	}
	s.done = true
}

// storedBody is an entry's body and footers as the store keeps them:
// JSON strings, quotes and escapes included.
type storedBody struct {
	body    []byte
	footers []storedFooter // nil when the entry has none
}

// storedFooter is a footer's token and value as JSON strings.
type storedFooter struct{ token, value []byte }

// bodyReader reads a finished store's records, mostly in the order they
// were written, through a window of the file.
type bodyReader struct {
	s        *bodyStore
	window   []byte
	windowAt int64
	footers  []storedFooter
}

// bodyWindow is how much of the file a reader reads at once.
const bodyWindow = 256 << 10

// reader returns a reader of s. A store that is not finished cannot be
// read, nor can a nil one (entries whose bodies are in a store reached a
// release without it).
func (s *bodyStore) reader() (*bodyReader, error) {
	if s == nil || !s.done {
		return nil, errors.New("the entries' bodies are kept aside but their store is not at hand")
	}
	return &bodyReader{s: s}, nil
}

// get returns the body and footers stored at place. They are valid until
// the next get.
func (r *bodyReader) get(place bodyPlace) (storedBody, error) {
	if place == 0 {
		return storedBody{}, errCorruptBody
	}
	at := int64(place-1) * bodyAlign
	head, err := r.bytes(at, 4)
	if err != nil {
		return storedBody{}, err
	}
	rec, err := r.bytes(at+4, int(binary.LittleEndian.Uint32(head)))
	if err != nil {
		return storedBody{}, err
	}
	var sb storedBody
	if sb.body, rec, err = cutString(rec); err != nil {
		return storedBody{}, err
	}
	if len(rec) < 4 {
		return storedBody{}, errCorruptBody
	}
	n := binary.LittleEndian.Uint32(rec)
	rec = rec[4:]
	r.footers = r.footers[:0]
	for range n {
		var f storedFooter
		if f.token, rec, err = cutString(rec); err != nil {
			return storedBody{}, err
		}
		if f.value, rec, err = cutString(rec); err != nil {
			return storedBody{}, err
		}
		r.footers = append(r.footers, f)
	}
	if n > 0 {
		sb.footers = r.footers
	}
	return sb, nil
}

// errCorruptBody is a record that does not read as one: the file changed
// under the store.
var errCorruptBody = errors.New("the stored body of an entry is not as it was written")

// cutString cuts a string with its length before it from the front of rec.
func cutString(rec []byte) (s, rest []byte, err error) {
	if len(rec) < 4 {
		return nil, nil, errCorruptBody
	}
	n := binary.LittleEndian.Uint32(rec)
	if uint64(n) > uint64(len(rec)-4) {
		return nil, nil, errCorruptBody
	}
	return rec[4 : 4+n], rec[4+n:], nil
}

// bytes returns the n bytes of records at at: from what is still
// pending, or from the window, which is read again from the file at at
// when it does not hold them.
func (r *bodyReader) bytes(at int64, n int) ([]byte, error) {
	s := r.s
	if at >= s.written { // a record is pending or written whole, never split
		i := at - s.written
		if i+int64(n) > int64(len(s.pending)) {
			return nil, errCorruptBody
		}
		return s.pending[i : i+int64(n)], nil
	}
	if at >= r.windowAt && at+int64(n) <= r.windowAt+int64(len(r.window)) {
		i := at - r.windowAt
		return r.window[i : i+int64(n)], nil
	}
	size := int(min(int64(max(n, bodyWindow)), s.written-at))
	if size < n {
		return nil, errCorruptBody
	}
	if cap(r.window) < size {
		r.window = make([]byte, size)
	}
	r.window = r.window[:size]
	if read, err := s.f.ReadAt(r.window, at); read < size {
		r.window = r.window[:0]
		return nil, fmt.Errorf("read the stored body of an entry: %w", cmp.Or(err, io.ErrUnexpectedEOF))
	}
	r.windowAt = at
	return r.window[:n], nil
}
