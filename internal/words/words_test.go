package words

import "testing"

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
