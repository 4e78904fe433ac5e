package words

import (
	"runtime"
	"strings"
	"testing"
)

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 entries"}, {1, "1 entry"}, {2, "2 entries"}} {
		if got := Plural(tt.n, "entry", "entries"); got != tt.want {
			t.Errorf("Plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{{"short", 5, "short"}, {"longer", 4, "long…"}, {"héllo", 2, "h…"}, {"", 3, ""}} {
		if got := Clip(tt.s, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, é and 日本":             "plain text, é and 日本",
		"lines\nand\ttabs stay":            "lines\nand\ttabs stay",
		"\x1b[31mred\x1b[0m and a bell\a":  `\x1b[31mred\x1b[0m and a bell\x07`,
		"carriage\rreturn, DEL \x7f":       `carriage\x0dreturn, DEL \x7f`,
		"evil\u202etxt.exe":                `evil\u202etxt.exe`,
		"isolate \u2066x\u2069, C1 \u009b": `isolate \u2066x\u2069, C1 \u009b`,
		"":                                 "",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"CODA_TABEL", "CODA_TABLE", 2}, {"same", "same", 0}} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestNearest(t *testing.T) {
	if got, d := Nearest("EXCLUDE_TYPE", []string{"DRY_RUN", "EXCLUDE_TYPES", "EXCLUDE_COMMITS"}); got != "EXCLUDE_TYPES" || d != 1 {
		t.Errorf("Nearest = %q, %d", got, d)
	}
	if got, d := Nearest("X", nil); got != "" || d != 2 {
		t.Errorf("Nearest of nothing = %q, %d", got, d)
	}
}

func TestSimilar(t *testing.T) {
	known := []string{"Changes", "Changelog", "Releases", "Release notes", "Roadmap"}
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"Changess", []string{"Changes"}},
		{"Changelogs", []string{"Changelog", "Changes"}},
		{"changes", []string{"Changes"}},
		{"Change", []string{"Changes", "Changelog"}},
		{"release Notes", []string{"Release notes"}},
		{"Notes", []string{"Release notes"}},
		{"Releases", nil},
		{"Budget", nil},
		{"", nil},
	} {
		got := Similar(tt.name, known)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Similar(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestSimilarSkipsFarLongerNames: a name far longer than the one sought,
// such as an answer that is not Coda's may hold, costs no edit distance
// (which would take memory in proportion to it). Not parallel: it counts
// the bytes allocated.
func TestSimilarSkipsFarLongerNames(t *testing.T) {
	huge := strings.Repeat("x", 4<<20)
	known := []string{huge, "Changes", "Release notes " + huge}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := Similar("Changess", known)
	runtime.ReadMemStats(&after)
	if strings.Join(got, "|") != "Changes" {
		t.Errorf("Similar = %q", got)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("Similar allocated %d MB", n>>20)
	}
	if got := Similar("Release notes", known); len(got) != 1 || got[0] != known[2] {
		t.Errorf("a name that contains it is still similar: got %d names", len(got))
	}
}

// pipeNames are the pipe's variables, and stepNames the names of a step's
// environment that are not its own, with some near-misses among them.
var (
	pipeNames = strings.Fields("CODA_API_TOKEN CODA_DOC_ID CODA_TABLE CODA_PAGE CODA_AUTOMATION_RULE_ID CODA_API_URL " +
		"CODA_COLUMNS CODA_KEY_COLUMNS CODA_RELEASE_TABLE CODA_RELEASE_COLUMNS CODA_RELEASE_KEY_COLUMNS " +
		"CODA_DEPLOYMENT_TABLE CODA_DEPLOYMENT_COLUMNS CODA_DEPLOYMENT_KEY_COLUMNS DEPLOYMENT_ENVIRONMENT ROW_PER " +
		"CODA_PAGE_MODE WAIT WAIT_TIMEOUT CODA_PARSE_VALUES FROM_REF TO_REF TAG_PATTERN INCLUDE_PATHS ISSUE_PATTERN " +
		"ISSUE_URL EXCLUDE_TYPES EXCLUDE_COMMITS SECTIONS NEW_CONTRIBUTORS INCLUDE_MERGES SQUASH_MERGES VERSION " +
		"TIMEZONE TEMPLATE OUTPUT_JSON REPO_PATH FETCH_HISTORY CODE_INSIGHTS COMMIT_LINT DRY_RUN TEST_PAYLOAD BACKFILL DEBUG")
	stepNames = strings.Fields("SHELL PWD HOME LANG TERM SHLVL PATH OLDPWD HOSTNAME CI PIPELINES_JWT_TOKEN SSL_CERT_FILE " +
		"SSL_CERT_DIR CURL_CA_BUNDLE REQUESTS_CA_BUNDLE AWS_CA_BUNDLE PIP_CERT NODE_EXTRA_CA_CERTS DEBIAN_FRONTEND " +
		"PYTHONUNBUFFERED PYTHONDONTWRITEBYTECODE RUST_BACKTRACE CONTAINER_NAME CLOUD_SDK_VERSION DOCKER_HOST " +
		"CODA_TABEL EXCLUDE_TYPE DRYRUN WAIT_TIMOUT TIME_ZONE X")
)

// Nearest skips the names too long or too short to be nearer than the
// nearest so far: it must still find what comparing every name finds.
func TestNearestIsTheNearestOfAll(t *testing.T) {
	for _, name := range stepNames {
		best, bestD := "", len(name)+1
		for _, k := range pipeNames {
			if d := Distance(name, k); d < bestD {
				best, bestD = k, d
			}
		}
		if got, d := Nearest(name, pipeNames); got != best || d != bestD {
			t.Errorf("Nearest(%q) = %q, %d; comparing every name gives %q, %d", name, got, d, best, bestD)
		}
	}
}

// BenchmarkNearest is the pipe's check of a step's environment at each
// start. Two rows allocated for each pair of names and every name compared
// took 0.66-1.1 ms here; one row and the names skipped by length, 0.24 ms.
func BenchmarkNearest(b *testing.B) {
	for b.Loop() {
		for _, name := range stepNames {
			Nearest(name, pipeNames)
		}
	}
}
