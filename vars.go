package main

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// variableTag is one variable the pipe reads, as [variables]' env tags
// declare it.
type variableTag struct {
	name       string
	def        string // its default, when hasDefault
	hasDefault bool
	bitbucket  bool // set by Bitbucket Pipelines, not by the pipe's user
}

// variableTags lists every variable the pipe reads, in the order of
// [variables]' fields (Bitbucket's own, in nested structs, included), so
// that no list of them is kept by hand.
func variableTags() []variableTag {
	var tags []variableTag
	var walk func(typ reflect.Type, bitbucket bool)
	walk = func(typ reflect.Type, bitbucket bool) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, true)
				continue
			}
			tag, ok := f.Tag.Lookup("env")
			if !ok {
				continue
			}
			parts := strings.Split(tag, ",")
			v := variableTag{name: strings.TrimSpace(parts[0]), bitbucket: bitbucket}
			for _, p := range parts[1:] {
				if d, ok := strings.CutPrefix(strings.TrimSpace(p), "default="); ok {
					v.def, v.hasDefault = d, true
				}
			}
			tags = append(tags, v)
		}
	}
	walk(reflect.TypeFor[variables](), false)
	return tags
}

// variableNames lists the names of [variableTags].
func variableNames() []string {
	var names []string
	for _, v := range variableTags() {
		names = append(names, v.name)
	}
	return names
}

// unknownVariables checks the variables that look meant for the pipe but
// are not among its variables. A near-miss of a known name (CODA_TABEL for
// CODA_TABLE, EXCLUDE_TYPE for EXCLUDE_TYPES) is a problem: Bitbucket hands
// a pipe only the variables its step lists, so such a name is always a
// typo, and the run would go on without the setting it meant. Any other
// unknown CODA_ variable is a warning.
func unknownVariables(c *checker, vars map[string]string) {
	known := variableNames()
	for _, name := range sortedKeys(vars) {
		if slices.Contains(known, name) || isListItem(name, known) || notThePipes(name) {
			continue
		}
		closest, d := words.Nearest(name, known)
		switch {
		case d <= 3 && (strings.HasPrefix(name, "CODA_") || d <= 2 && len(name) >= 5):
			c.add(name, "is not a variable of this pipe: did you mean %s? (rename it in the step's variables)", closest)
		case strings.HasPrefix(name, "CODA_"):
			c.warn("%s is not a variable of this pipe and is ignored (see the README's Variables)", name)
		}
	}
}

// notThePipes reports whether a variable belongs to the step's environment
// rather than to the pipe's settings, however close to one of the pipe's
// names it looks (GODEBUG is one letter from DEBUG): Bitbucket's own, git's,
// the Go runtime's and the proxies'.
func notThePipes(name string) bool {
	for _, prefix := range []string{"BITBUCKET_", "GIT_", "GO"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return slices.Contains([]string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "DOCKER_HOST", "HOSTNAME"}, strings.ToUpper(name))
}

// isListItem reports whether name is NAME_COUNT or NAME_<n> of a known
// variable: Bitbucket passes YAML lists to pipes that way.
func isListItem(name string, known []string) bool {
	i := strings.LastIndex(name, "_")
	if i < 0 {
		return false
	}
	base, suffix := name[:i], name[i+1:]
	if _, err := strconv.Atoi(suffix); err != nil && suffix != "COUNT" {
		return false
	}
	return slices.Contains(known, base)
}

// sortedKeys returns the map's keys in order, for stable messages.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
