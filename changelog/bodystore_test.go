package changelog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// storedJSON is what the store should give back for a body and footers.
func storedJSON(body string, footers []Footer) storedBody {
	sb := storedBody{body: appendJSONString(nil, body)}
	for _, f := range footers {
		sb.footers = append(sb.footers, storedFooter{appendJSONString(nil, f.Token), appendJSONString(nil, f.Value)})
	}
	return sb
}

// TestBodyStoreRoundTrip: whatever is put is read back escaped as the JSON
// writes it, in the order it was put or any other: records from the file
// (across several writes, one longer than a reader's window) and the last
// ones, never written, from memory.
func TestBodyStoreRoundTrip(t *testing.T) {
	t.Parallel()
	s, err := newBodyStore()
	require.NoError(t, err)
	type put struct {
		at      bodyPlace
		body    string
		footers []Footer
	}
	var puts []put
	add := func(body string, footers []Footer) {
		at, ok := s.put(body, footers)
		require.True(t, ok)
		puts = append(puts, put{at, body, footers})
	}
	add("", []Footer{{Token: "Refs", Value: "ABC-1"}})
	add("a body \"quoted\" <b> & \u2028 é \xff\n\ttab", nil)
	add(strings.Repeat("long line é\n", bodyWindow/6), []Footer{{Token: "BREAKING CHANGE", Value: "all\nof it"}, {Token: "Co-authored-by", Value: "Ann <ann@example.com>"}})
	for i := range 3 * bodyFlush / 2000 {
		add(fmt.Sprintf("body %d %s", i, strings.Repeat("x", 1000+i%2000)), []Footer{{Token: "Refs", Value: fmt.Sprint(i)}})
	}
	add("the last, still pending", nil)
	require.NotZero(t, s.written, "records were written to the file")
	require.NotEmpty(t, s.pending, "the last records are still in memory")
	s.finish()

	check := func(r *bodyReader, p put) {
		t.Helper()
		got, err := r.get(p.at)
		require.NoError(t, err)
		want := storedJSON(p.body, p.footers)
		require.Equal(t, string(want.body), string(got.body))
		require.Len(t, got.footers, len(want.footers))
		for i := range want.footers {
			require.Equal(t, string(want.footers[i].token), string(got.footers[i].token))
			require.Equal(t, string(want.footers[i].value), string(got.footers[i].value))
		}
	}
	forward, err := s.reader()
	require.NoError(t, err)
	backward, err := s.reader() // readers read side by side
	require.NoError(t, err)
	for i := range puts {
		check(forward, puts[i])
		check(backward, puts[len(puts)-1-i])
	}
	_, ok := s.put("after finish", nil)
	require.False(t, ok, "a finished store takes nothing more")
}

// TestBodyStoreFailedWrite: when the file cannot be written, what was put
// stays readable from memory and put takes no more, so that the caller
// keeps the next bodies in memory.
func TestBodyStoreFailedWrite(t *testing.T) {
	t.Parallel()
	s, err := newBodyStore()
	require.NoError(t, err)
	require.NoError(t, s.f.Close()) // every write fails from now on
	body := strings.Repeat("b", bodyFlush)
	at, ok := s.put(body, nil) // its write fails
	require.True(t, ok)
	_, ok = s.put("next", nil)
	require.False(t, ok)
	s.finish()
	r, err := s.reader()
	require.NoError(t, err)
	got, err := r.get(at)
	require.NoError(t, err)
	require.Equal(t, string(appendJSONString(nil, body)), string(got.body))
}

// TestBodyStoreMisuse: a store is read only once finished, a nil store
// takes nothing, and a place that is no record's is an error, not a
// panic or text made up.
func TestBodyStoreMisuse(t *testing.T) {
	t.Parallel()
	var none *bodyStore
	_, ok := none.put("body", nil)
	require.False(t, ok)
	_, err := none.reader()
	require.Error(t, err)

	s, err := newBodyStore()
	require.NoError(t, err)
	at, ok := s.put(strings.Repeat("z", 3*bodyFlush), nil)
	require.True(t, ok)
	_, err = s.reader()
	require.Error(t, err, "read before finish")
	s.finish()
	r, err := s.reader()
	require.NoError(t, err)
	for _, wrong := range []bodyPlace{0, at + 1, at + 100, bodyPlace(s.written/bodyAlign + 1)} {
		_, err := r.get(wrong)
		require.ErrorIs(t, err, errCorruptBody, "at %d", wrong)
	}
	_, err = r.get(at)
	require.NoError(t, err)
}

// TestWriteJSONWithoutItsBodies: entries whose bodies are kept aside, in a
// release that lost their store, are an error, never JSON without them.
func TestWriteJSONWithoutItsBodies(t *testing.T) {
	t.Parallel()
	rel := Release{Entries: []Entry{{ShortSHA: "abc1234", bodyAt: 1}}}
	err := WriteJSON(&bytes.Buffer{}, rel)
	require.ErrorContains(t, err, "the JSON of commit abc1234: the entries' bodies are kept aside but their store is not at hand")
}
