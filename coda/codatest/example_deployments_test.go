package codatest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// A doc that records deployments: a Deployments table, one row per
// deployment, and a changelog table with a "Deployed to <environment>"
// column per environment. A deployment finds the previous one to its
// environment with listRows and a query on the Environment column (a
// quoted column name, a JSON value), as Coda's spec describes it.
func Example_deployments() {
	srv := codatest.NewServer()
	defer srv.Close()
	doc := srv.AddDoc(codatest.Doc{
		Name: "Changelog",
		Tables: []codatest.Table{{
			Name: "Deployments",
			Columns: []codatest.Column{
				{Name: "Deployment"}, {Name: "Environment"}, {Name: "Status", Type: "select", Options: []string{"SUCCESSFUL", "FAILED"}},
				{Name: "SHA"}, {Name: "Deployed at", Type: "dateTime"}, {Name: "Lead time", Type: "number"},
			},
			Rows: []codatest.Row{
				{Values: map[string]any{"Deployment": "staging #3", "Environment": "staging", "Status": "SUCCESSFUL", "SHA": "b2"}},
				{Values: map[string]any{"Deployment": "production #4", "Environment": "production", "Status": "SUCCESSFUL", "SHA": "b2"}},
				{Values: map[string]any{"Deployment": "production #5", "Environment": "production", "Status": "FAILED", "SHA": "c3"}},
			},
		}, {
			Name: "Changes",
			Columns: []codatest.Column{
				{Name: "SHA"}, {Name: "Subject"},
				{Name: "Deployed to staging", Type: "dateTime"}, {Name: "Deployed to production", Type: "dateTime"},
			},
		}},
	})

	q := url.Values{"query": {`"Environment":"production"`}, "useColumnNames": {"true"}}
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/docs/"+doc.ID+"/tables/Deployments/rows?"+q.Encode(), nil)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+codatest.DefaultToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct {
			Values map[string]any `json:"values"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		panic(err)
	}
	for _, row := range list.Items {
		fmt.Println(row.Values["Deployment"], row.Values["Status"], row.Values["SHA"])
	}
	// Output:
	// production #4 SUCCESSFUL b2
	// production #5 FAILED c3
}
