package coda

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPaginateStopsAtATokenSeenBefore: a server whose page tokens come
// again, at once or round a cycle, would be walked for ever; the walk stops
// at the first token it has sent before.
func TestPaginateStopsAtATokenSeenBefore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		next func(call int) string
		want []int
		err  string
	}{
		{"the same token twice", func(int) string { return "same" }, []int{1}, `page token "same" twice`},
		{"tokens in a cycle", func(call int) string { return fmt.Sprint("t", call%2) }, []int{1, 2}, `page token "t1" twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			seq := paginate(func(token string) ([]int, string, error) {
				calls++
				if calls > 10 {
					t.Fatal("the walk did not stop")
				}
				return []int{calls}, tc.next(calls), nil
			})
			var got []int
			var last error
			for v, err := range seq {
				if err != nil {
					last = err
					break
				}
				got = append(got, v)
			}
			require.Equal(t, tc.want, got)
			require.EqualError(t, last, "coda: the server returned "+tc.err)
		})
	}
}
