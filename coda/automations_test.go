package coda

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTriggerAutomation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		payload  any
		wantBody string
		wantErr  string
	}{
		{name: "struct", payload: struct {
			Version string `json:"version"`
		}{"v1.4.2"}, wantBody: `{"version":"v1.4.2"}`},
		{name: "raw", payload: json.RawMessage(`{"a": [1, 2]}`), wantBody: `{"a":[1,2]}`},
		{name: "nil", payload: nil, wantBody: `{}`},
		{name: "not an object", payload: []string{"x"}, wantErr: "coda: trigger automation: the payload must encode to a JSON object"},
		{name: "invalid raw", payload: json.RawMessage(`{`), wantErr: "encode body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := answer(http.StatusAccepted, `{"requestId":"r1"}`)
			c := newTestClient(t, rec)
			m, err := c.TriggerAutomation(t.Context(), "d1", "suite-Ab1", tc.payload)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Empty(t, rec.all())
				return
			}
			require.NoError(t, err)
			require.Equal(t, "r1", m.RequestID)
			got := rec.all()[0]
			require.Equal(t, "POST /docs/d1/hooks/automation/suite-Ab1", got.Method+" "+got.Path)
			require.Equal(t, tc.wantBody, got.Body)
		})
	}
}

func TestTriggerAutomationOff(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, answer(http.StatusUnprocessableEntity, codaError(422, "Rule is disabled")))
	_, err := c.TriggerAutomation(t.Context(), "d1", "suite-1", nil)
	require.EqualError(t, err, "trigger automation suite-1: coda: POST /docs/d1/hooks/automation/suite-1: 422 Unprocessable Entity: Rule is disabled")
}
