package openapitest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/openapitest"
)

func TestFind(t *testing.T) {
	t.Parallel()
	got := openapitest.Find("go.mod")
	require.NotEmpty(t, got, "the module's go.mod is in a parent directory")
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.Equal(t, filepath.Join(wd, "..", "..", "go.mod"), got)
	require.Empty(t, openapitest.Find("no/such/file.json"))
}

func TestLoadRepairs(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "api.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}`), 0o644))
	doc, router, err := openapitest.Load(path, func(root map[string]any) error {
		openapitest.Dig(root, "info").(map[string]any)["version"] = "2"
		return nil
	})
	require.NoError(t, err)
	require.NotNil(t, router)
	require.Equal(t, "2", doc.Info.Version)
	require.Nil(t, openapitest.Dig(map[string]any{"a": 1}, "a", "b"))
}
