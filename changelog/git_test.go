package changelog

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// Git marks only its own repository safe, by the path git compares:
// the top of the work tree with symbolic links resolved, even when Dir is
// below it or reached through a link.
func TestGitMarksOnlyItsRepositorySafe(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	top, err := filepath.EvalSymlinks(r.Dir)
	require.NoError(t, err)
	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(r.Dir, link))
	sub := filepath.Join(link, "sub", "dir")
	require.NoError(t, os.MkdirAll(sub, 0o755))

	for _, dir := range []string{r.Dir, link, sub} {
		args := (&Git{Dir: dir}).command(t.Context(), []string{"log"}).Args
		require.Contains(t, args, "safe.directory="+top, dir)
		require.False(t, slices.Contains(args, "safe.directory=*"), dir)
	}

	// A repository owned by someone else is read; this needs root to make.
	if os.Geteuid() != 0 {
		t.Skip("changing a repository's owner needs root")
	}
	require.NoError(t, filepath.WalkDir(r.Dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, 65534, 65534)
	}))
	out, err := (&Git{Dir: sub}).Run(t.Context(), "log", "--format=%s")
	require.NoError(t, err, "the repository is marked safe")
	require.Equal(t, "feat: one", strings.TrimSpace(string(out)))
}

// What the environment says about where a repository is never reaches git.
func TestGitEnviron(t *testing.T) {
	t.Parallel()
	env := gitEnviron([]string{"PATH=/bin", "GIT_DIR=/elsewhere/.git", "GIT_WORK_TREE=/elsewhere", "GIT_INDEX_FILE=/x",
		"GIT_OBJECT_DIRECTORY=/o", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*",
		"GIT_SSH_COMMAND=ssh -i key", "HOME=/root"})
	require.Equal(t, []string{"PATH=/bin", "GIT_SSH_COMMAND=ssh -i key", "HOME=/root"}, env)
}
