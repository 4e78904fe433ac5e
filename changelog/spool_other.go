//go:build !linux

package changelog

import "errors"

// newSpool has no spool to offer outside Linux: git writes into a pipe.
func newSpool() (gitOutput, error) {
	return nil, errors.New("no spool on this platform")
}
