package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"

	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// console writes the pipe's messages the way official pipes do: INFO lines,
// DEBUG lines only with DEBUG=true, and a last line starting with ✔ or ✖.
// Every line passes through the redactor, so a secret that reaches a
// message by accident is still not shown.
type console struct {
	mu     sync.Mutex
	w      io.Writer
	debug  bool
	redact func(string) string
}

// newConsole returns a console writing to w. What it prints, lines and
// text alike ([console.redact]), has the secrets redacted and the
// characters that would drive a terminal escaped ([words.Printable]):
// commit messages reach the log and a dry run's notes.
func newConsole(w io.Writer, debug bool, secrets ...string) *console {
	redact := redactor(secrets...)
	return &console{w: w, debug: debug, redact: func(s string) string { return words.Printable(redact(s)) }}
}

// redactor returns a function that replaces every non-empty secret in a
// text, and the user information of every URL in it: credentials embedded
// in a URL (BITBUCKET_GIT_HTTP_ORIGIN's, in the git arguments DEBUG
// shows) are secrets too.
func redactor(secrets ...string) func(string) string {
	var pairs []string
	for _, s := range secrets {
		if s != "" {
			pairs = append(pairs, s, "[redacted]")
		}
	}
	if len(pairs) == 0 {
		return redactUserinfo
	}
	replace := strings.NewReplacer(pairs...).Replace
	return func(s string) string { return redactUserinfo(replace(s)) }
}

// userinfo matches the user information of a URL: scheme://user:password@.
var userinfo = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]+@`)

// redactUserinfo replaces the user information of every URL in s. Text
// without any is returned as it is: the notes of a dry run pass through
// here, and the regular expression would copy them twice and scan them
// whole wherever a subject holds an "@" (bump @types/node).
func redactUserinfo(s string) string {
	if !mayHoldUserinfo(s) {
		return s
	}
	return userinfo.ReplaceAllString(s, "${1}[redacted]@")
}

// mayHoldUserinfo reports whether s has a "://" followed by an "@" before
// any "/", "?", "#" or white space: what [userinfo] needs to match, and
// much quicker to look for.
func mayHoldUserinfo(s string) bool {
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			return false
		}
		s = s[i+3:]
		if j := strings.IndexAny(s, "/?#@ \t\n\f\r"); j > 0 && s[j] == '@' {
			return true
		}
	}
}

func (c *console) line(prefix, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.w, c.redact(prefix+fmt.Sprintf(format, args...)))
}

// Info prints an INFO line.
func (c *console) Info(format string, args ...any) { c.line("INFO: ", format, args...) }

// Warn prints a WARNING line.
func (c *console) Warn(format string, args ...any) { c.line("WARNING: ", format, args...) }

// warnAll prints each warning.
func (c *console) warnAll(warnings []string) {
	for _, w := range warnings {
		c.Warn("%s", w)
	}
}

// Success prints the ✔ line of a run that worked.
func (c *console) Success(format string, args ...any) { c.line("✔ ", format, args...) }

// Logger returns a slog.Logger that prints DEBUG lines, or discards them
// when DEBUG is off.
func (c *console) Logger() *slog.Logger {
	if !c.debug {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(debugHandler{c: c})
}

// debugHandler prints slog records as "DEBUG: message key=value ...".
type debugHandler struct {
	c     *console
	attrs []slog.Attr
}

func (h debugHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h debugHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Resolve())
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	h.c.line("DEBUG: ", "%s", b.String())
	return nil
}

func (h debugHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return debugHandler{c: h.c, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h debugHandler) WithGroup(string) slog.Handler { return h }
