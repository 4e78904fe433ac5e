//go:build !linux

package changelog

// adviseHugePages does nothing outside Linux.
func adviseHugePages[T any](s []T) {}
