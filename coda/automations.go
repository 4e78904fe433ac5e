package coda

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
)

// TriggerAutomation runs the webhook-invoked automation ruleID with payload,
// marshalled as JSON (a [encoding/json.RawMessage] passes through); it must encode to
// a JSON object, and nil sends {}. The rule reads it as "Step 1 Result".
// Coda answers once the run is queued; an automation that is off fails with
// a 422.
//
// A trigger is not safe to resend: when its outcome is unknown the error
// wraps [ErrUnknownOutcome].
//
// Coda API: triggerWebhookAutomation, https://coda.io/developers/apis/v1#tag/Automations/operation/triggerWebhookAutomation
func (c *Client) TriggerAutomation(ctx context.Context, docID, ruleID string, payload any) (Mutation, error) {
	if payload == nil {
		payload = struct{}{}
	}
	r, err := newRequest(http.MethodPost, nil, payload, "docs", docID, "hooks", "automation", ruleID)
	if err != nil {
		return Mutation{}, err
	}
	if !bytes.HasPrefix(bytes.TrimSpace(r.body), []byte("{")) {
		return Mutation{}, errors.New("coda: trigger automation: the payload must encode to a JSON object")
	}
	return c.write(ctx, r, fmt.Sprintf("trigger automation %s", ruleID))
}
