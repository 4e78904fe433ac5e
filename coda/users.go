package coda

import "context"

// User is the account behind an API token.
type User struct {
	Name      string `json:"name"`
	LoginID   string `json:"loginId"`   // email address
	Scoped    bool   `json:"scoped"`    // the token is restricted to some docs or tables
	TokenName string `json:"tokenName"` // the name given to the token, never the token
}

// WhoAmI returns the user the token belongs to. It works with any valid
// token, so it makes a good preflight: an invalid token fails with an error
// wrapping [ErrUnauthorized].
//
// Coda API: whoami, https://coda.io/developers/apis/v1#tag/Account/operation/whoami
func (c *Client) WhoAmI(ctx context.Context) (User, error) {
	var u User
	if err := c.get(ctx, &u, nil, "whoami"); err != nil {
		return User{}, err
	}
	return u, nil
}
