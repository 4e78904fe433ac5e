package codatest

import (
	"strconv"
	"testing"
)

func TestEvalFormula(t *testing.T) {
	t.Parallel()
	for expr, want := range map[string]any{
		"1+2":         3.0,
		" 2 * 3 + 4 ": 10.0,
		"4+2*3":       10.0,
		"10-2-3":      5.0,
		"-2*-3":       6.0,
		"7":           7.0,
		"":            formulaError,
		"1+":          formulaError,
		"(1+2)":       formulaError,
		"1/2":         formulaError,
		"SUM(1,2)":    formulaError,
		"1.5+1":       formulaError,
	} {
		if got := evalFormula(expr); got != want {
			t.Errorf("evalFormula(%q) = %v, want %v", expr, got, want)
		}
	}
}

func FuzzEvalFormula(f *testing.F) {
	for _, s := range []string{"1+2*3", "-4", "1--2", "x", "9999999999999999999", "2 * 3 - 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		got := evalFormula(expr)
		if _, ok := got.(float64); !ok && got != formulaError {
			t.Fatalf("evalFormula(%q) = %#v, want a float64 or %q", expr, got, formulaError)
		}
		if n, err := strconv.ParseInt(expr, 10, 64); err == nil && got != float64(n) {
			t.Fatalf("evalFormula(%q) = %v, want %d", expr, got, n)
		}
	})
}
