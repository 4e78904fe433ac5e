package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// validationError lists every problem with the variables at once, in the
// style of the official pipes.
type validationError struct {
	Problems []problem
}

// problem is what is wrong with one variable.
type problem struct {
	Variable string
	Message  string
}

func (e *validationError) Error() string {
	var b strings.Builder
	b.WriteString("Validation errors:")
	var last string
	for _, p := range e.Problems {
		if p.Variable != last {
			b.WriteString("\n" + p.Variable + ":")
			last = p.Variable
		}
		b.WriteString("\n- " + p.Message)
	}
	return b.String()
}

// checker collects problems and warnings while a [config] is built.
type checker struct {
	problems []problem
	warnings []string
}

func (c *checker) add(variable, format string, args ...any) {
	c.problems = append(c.problems, problem{Variable: variable, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warn(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}

// boolean parses true/false/1/0/yes/no in any case.
func (c *checker) boolean(variable, value string) bool {
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "true", "1", "yes", "y", "on":
		return true
	case "false", "0", "no", "n", "off", "":
		return false
	}
	c.add(variable, "%q is not a boolean: use true or false (1/0 and yes/no work too)", value)
	return false
}

// number parses an optional whole number.
func (c *checker) number(variable, value string) *int {
	if value == "" {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < 0 {
		c.add(variable, "%q is not a whole number", value)
		return nil
	}
	return &n
}

// oneOf checks value against the allowed values of a closed set.
func oneOf[T ~string](c *checker, variable, value string, allowed []T) T {
	v := T(strings.ToLower(strings.TrimSpace(value)))
	if !slices.Contains(allowed, v) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		c.add(variable, "%q is not allowed: use one of %s", value, strings.Join(names, ", "))
	}
	return v
}

// compilePattern compiles a user's pattern (a regular expression, a
// template) with compile, reporting its error.
func compilePattern[T any](c *checker, variable, value string, compile func(string) (T, error)) T {
	v, err := compile(value)
	if err != nil {
		c.add(variable, "%s", patternError(err))
	}
	return v
}

// patternError is the text of an error about a user's pattern, without
// the "error parsing regexp: " that package regexp puts before its cause:
// the message around it already says that the pattern is not a regular
// expression.
func patternError(err error) string {
	return strings.Replace(err.Error(), "error parsing regexp: ", "", 1)
}

// splitList splits a list variable: one item a line, or comma-separated
// when it is one line. Items are trimmed; empty ones dropped.
func splitList(s string) []string {
	sep := ","
	if strings.Contains(s, "\n") {
		sep = "\n"
	}
	var out []string
	for _, item := range strings.Split(s, sep) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// parseDuration reads a Go duration ("2m", "90s") or a number of seconds.
func parseDuration(c *checker, variable, value string) time.Duration {
	v := strings.TrimSpace(value)
	d, err := time.ParseDuration(v)
	if n, nerr := strconv.Atoi(v); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	switch {
	case err != nil:
		c.add(variable, "%q is not a duration: use seconds (120) or a Go duration (2m, 90s)", value)
	case d <= 0:
		c.add(variable, "%q must be positive: use seconds (120) or a Go duration (2m, 90s)", value)
	}
	return d
}
