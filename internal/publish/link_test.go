package publish

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

func TestLink(t *testing.T) {
	t.Parallel()
	srv := codatest.NewUnstarted()
	doc := notesDoc(srv)
	tests := []struct {
		name     string
		cfg      Config
		wantName string
		wantURL  string // a part of it
	}{
		{"page first", Config{Page: "Release notes", Table: Table{Name: "Releases"}}, "Release notes", "/Release-notes_su"},
		{"table", Config{Table: Table{Name: "grid-releases"}}, "Releases", "#Releases_tu"},
		{"automation only", Config{RuleID: "r-1"}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.DocID = doc.ID
			name, url, err := New(fakeClient(t, srv), tc.cfg, discard{}).Link(t.Context())
			require.NoError(t, err)
			require.Equal(t, tc.wantName, name)
			require.Contains(t, url, tc.wantURL)
			if tc.wantURL != "" {
				require.Contains(t, url, "https://coda.io/d/")
			}
		})
	}
}
