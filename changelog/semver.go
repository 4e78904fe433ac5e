package changelog

import (
	"strconv"
	"strings"
)

// Version is a semantic version (https://semver.org) as read from a release tag.
// Prefix keeps the text before the number ("v" in "v1.2.3") so that a computed
// next version is written in the same style as the tag it follows.
type Version struct {
	Prefix              string
	Major, Minor, Patch uint64
	Pre                 []string // pre-release identifiers ("rc", "1"), nil for a stable version
	Build               string   // build metadata, ignored when comparing
}

// ParseVersion parses "1.2.3", "v1.2.3-rc.1+build.5" and the like. The only prefix
// accepted is a single "v" or "V". It reports false for anything that is not a
// semantic version.
func ParseVersion(s string) (Version, bool) {
	var v Version
	if strings.HasPrefix(s, "v") || strings.HasPrefix(s, "V") {
		v.Prefix, s = s[:1], s[1:]
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		v.Build, s = s[i+1:], s[:i]
		if !validIdentifiers(v.Build, false) {
			return Version{}, false
		}
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		pre := s[i+1:]
		s = s[:i]
		if !validIdentifiers(pre, true) {
			return Version{}, false
		}
		v.Pre = strings.Split(pre, ".")
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return Version{}, false
	}
	nums := [3]*uint64{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		n, ok := numericIdentifier(p)
		if !ok {
			return Version{}, false
		}
		*nums[i] = n
	}
	return v, true
}

// numericIdentifier parses a non-negative decimal without leading zeros.
func numericIdentifier(s string) (uint64, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// validIdentifiers checks dot-separated identifiers of [0-9A-Za-z-]; pre-release
// numeric identifiers must not have leading zeros.
func validIdentifiers(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		allDigits := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				allDigits = false
			default:
				return false
			}
		}
		if pre && allDigits && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

// Prerelease reports whether v carries pre-release identifiers.
func (v Version) Prerelease() bool { return len(v.Pre) > 0 }

// String writes v back in its own style, prefix included.
func (v Version) String() string {
	var b strings.Builder
	b.WriteString(v.Prefix)
	b.WriteString(strconv.FormatUint(v.Major, 10))
	b.WriteByte('.')
	b.WriteString(strconv.FormatUint(v.Minor, 10))
	b.WriteByte('.')
	b.WriteString(strconv.FormatUint(v.Patch, 10))
	if len(v.Pre) > 0 {
		b.WriteByte('-')
		b.WriteString(strings.Join(v.Pre, "."))
	}
	if v.Build != "" {
		b.WriteByte('+')
		b.WriteString(v.Build)
	}
	return b.String()
}

// Compare orders versions by semantic-version precedence: -1 when v < w, 0 when
// equal, +1 when v > w. Prefix and build metadata do not count.
func (v Version) Compare(w Version) int {
	for _, d := range [3][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(v.Pre) == 0 && len(w.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1
	case len(w.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		if c := compareIdentifier(v.Pre[i], w.Pre[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(v.Pre) < len(w.Pre):
		return -1
	case len(v.Pre) > len(w.Pre):
		return 1
	}
	return 0
}

// compareIdentifier compares two pre-release identifiers: numeric ones
// numerically and below alphanumeric ones, which compare in ASCII order.
func compareIdentifier(a, b string) int {
	an, aNum := numericIdentifier(a)
	bn, bNum := numericIdentifier(b)
	switch {
	case aNum && bNum:
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return 0
	case aNum:
		return -1
	case bNum:
		return 1
	}
	return strings.Compare(a, b)
}

// Bump is the part of a version that a release increments.
type Bump int

// The bumps, from least to most significant.
const (
	BumpPatch Bump = iota
	BumpMinor
	BumpMajor
)

// String names the bump: "patch", "minor" or "major".
func (b Bump) String() string {
	switch b {
	case BumpMajor:
		return "major"
	case BumpMinor:
		return "minor"
	}
	return "patch"
}

// Next returns the version that follows v after a change of the given size. A
// major change below 1.0.0 bumps the minor number, as semantic versioning
// leaves 0.y.z free to break. After a pre-release the release itself follows
// when it is already big enough (1.2.0-rc.1 and a feature give 1.2.0).
// Pre-release and build parts are dropped.
func (v Version) Next(b Bump) Version {
	next := Version{Prefix: v.Prefix, Major: v.Major, Minor: v.Minor, Patch: v.Patch}
	if b == BumpMajor && v.Major == 0 {
		b = BumpMinor
	}
	if v.Prerelease() && v.releaseCovers(b) {
		return next
	}
	switch b {
	case BumpMajor:
		next.Major, next.Minor, next.Patch = v.Major+1, 0, 0
	case BumpMinor:
		next.Minor, next.Patch = v.Minor+1, 0
	default:
		next.Patch = v.Patch + 1
	}
	return next
}

// releaseCovers reports whether the release that a pre-release leads to is
// already a change of size b over the version before it.
func (v Version) releaseCovers(b Bump) bool {
	switch b {
	case BumpMajor:
		return v.Minor == 0 && v.Patch == 0
	case BumpMinor:
		return v.Patch == 0
	}
	return true
}
