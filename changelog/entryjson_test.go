package changelog

import (
	"bufio"
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// encodingJSON is what json.Encoder, as writeReleaseJSON set it up before
// appendEntryJSON, writes for e.
func encodingJSON(t *testing.T, e *Entry, prefix string) string {
	t.Helper()
	enc, buf := jsonEncoder(prefix)
	if err := enc.Encode(e); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// TestEntryJSONIsEncodingJSONs: entries with every exported field set (by
// reflection, so that a new field is not forgotten), empty lists and
// none, come out as encoding/json writes them.
func TestEntryJSONIsEncodingJSONs(t *testing.T) {
	full := Entry{}
	v := reflect.ValueOf(&full).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString(v.Type().Field(i).Name + " \"quoted\" <b>&\n\t\x01 \u2028 é \xff")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
			f.Elem().SetInt(int64(1<<40 + i))
		case reflect.Slice, reflect.Struct:
			// set below, by type
		default:
			t.Fatalf("field %s of a kind the test does not fill: add it here and to appendEntryJSON", v.Type().Field(i).Name)
		}
	}
	full.Footers = []Footer{{Token: "Refs", Value: "AB-1"}, {Token: "BREAKING CHANGE", Value: "all\nof it"}}
	full.Issues = []string{"AB-1", "CD-22"}
	full.Author = Person{Name: "Ünïcode \"Name\"", Email: "a@example.com"}
	full.Date = time.Date(2026, 12, 5, 14, 0, 0, 123456789, time.FixedZone("", 5*3600+1800))
	for name, e := range map[string]Entry{
		"every field": full,
		"zero":        {},
		"empty lists": {Footers: []Footer{}, Issues: []string{}, Date: time.Unix(0, 0).UTC()},
		"one of each": {Footers: full.Footers[:1], Issues: full.Issues[:1], Date: full.Date.UTC()},
	} {
		for _, prefix := range []string{"", "    ", "      "} {
			got, err := appendEntryJSON(nil, &e, prefix, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := encodingJSON(t, &e, prefix); string(got) != want {
				t.Errorf("%s, prefix %q:\n got %s\nwant %s", name, prefix, got, want)
			}
		}
	}
	if _, err := appendEntryJSON(nil, &Entry{Date: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "", nil); err == nil {
		t.Error("a date past year 9999 was written, though JSON's time format has no room for it")
	}
}

// FuzzEntryJSON: whatever text a commit holds, its JSON is encoding/json's.
func FuzzEntryJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\/<>&", "\b\f\n\r\t\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe é 😀 \xed\xa0\x80"} {
		f.Add(s, s, 3)
	}
	f.Fuzz(func(t *testing.T, subject, body string, pr int) {
		e := Entry{SHA: strings.Repeat("a", 40), Subject: subject, Body: body, PullRequest: &pr,
			Footers: []Footer{{Token: body, Value: subject}}, Issues: []string{subject}, Author: Person{Name: body}}
		got, err := appendEntryJSON(nil, &e, "    ", nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := encodingJSON(t, &e, "    "); string(got) != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}

// FuzzJSONPieces: a string written a piece at a time, whatever the size
// of the pieces and wherever they fall in its runes, valid or not, is the
// string escaped whole.
func FuzzJSONPieces(f *testing.F) {
	for _, s := range []string{"", "plain", "é😀\u2028", "\xf0\x9f\x98\x80\x80\x80", "\xe2\x80\xa8\xe2\x80", "a\xf0\x9f\x98"} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, piece int) {
		piece = utf8.UTFMax + int(uint(piece)%16)
		var got bytes.Buffer
		w := bufio.NewWriterSize(&got, 16) // smaller than a piece escaped: the buffer grows
		if err := writeJSONPieces(w, s, piece); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if want := appendJSONString(nil, s); got.String() != string(want) {
			t.Fatalf("pieces of %d: got %s\nwant %s", piece, got.String(), want)
		}
	})
}
