package codatest_test

import (
	"fmt"
	"net/http"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

func Example() {
	srv := codatest.NewServer()
	defer srv.Close()
	doc := srv.AddDoc(codatest.Doc{
		Name: "Changelog",
		Tables: []codatest.Table{{
			ID:      "grid-releases",
			Name:    "Releases",
			Columns: []codatest.Column{{ID: "c-version", Name: "Version"}},
		}},
	})

	// The code under test would do this through the coda client.
	body := `{"rows":[{"cells":[{"column":"c-version","value":"v1.2.0"}]}],"keyColumns":["c-version"]}`
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/docs/"+doc.ID+"/tables/Releases/rows", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+codatest.DefaultToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()

	fmt.Println(resp.Status)
	for _, row := range srv.Rows(doc.ID, "grid-releases") {
		fmt.Println(row.Values["c-version"])
	}
	fmt.Println(srv.Stats().DocContent.Accepted, "doc content write")
	// Output:
	// 202 Accepted
	// v1.2.0
	// 1 doc content write
}
