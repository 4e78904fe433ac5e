package coda

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RichKind is the kind of a cell value read in Coda's rich format.
type RichKind string

// Kinds of rich values. Coda gives text as Markdown (plain text wrapped in
// triple backticks), numbers, booleans and dates as JSON scalars, and
// currency, people, lookups, links and images as JSON-LD objects.
const (
	RichEmpty    RichKind = "empty"    // an empty cell
	RichText     RichKind = "text"     // text, as typed or as sent
	RichNumber   RichKind = "number"   // a number
	RichBool     RichKind = "bool"     // a checkbox value
	RichDate     RichKind = "date"     // a date or date-time
	RichPerson   RichKind = "person"   // a schema.org Person: a doc member
	RichRow      RichKind = "row"      // a reference to a row (a lookup)
	RichCurrency RichKind = "currency" // a schema.org MonetaryAmount
	RichLink     RichKind = "link"     // a schema.org WebPage
	RichImage    RichKind = "image"    // a schema.org ImageObject
	RichList     RichKind = "list"     // several values, in Items
	RichOther    RichKind = "other"    // anything else
)

// RichValue is a cell value read in Coda's rich format (as [Client.GetRow]
// reads), interpreted by [ParseRichValue].
type RichValue struct {
	Kind RichKind
	// Text is the value as text: the text without its backticks, a
	// person's, row's, link's or image's name, a date as Coda wrote it, a
	// number or boolean formatted.
	Text     string
	Email    string      // a person's e-mail address
	RowID    string      // a referenced row's ID
	TableID  string      // a referenced row's table ID
	URL      string      // a row's, link's or image's URL
	Number   float64     // a number, or a currency amount
	Bool     bool        // a checkbox value
	Currency string      // a currency code, such as "USD"
	Items    []RichValue // the values of a list
}

// ParseRichValue interprets a cell value decoded from JSON in Coda's rich
// format: a string, float64, bool, map[string]any or []any. A string wrapped
// in triple backticks is plain text; another string is a date when it is a
// date (2026-02-11) or a timestamp (RFC 3339 with or without fractional
// seconds, or without an offset), else Markdown text.
func ParseRichValue(v any) RichValue {
	switch v := v.(type) {
	case nil:
		return RichValue{Kind: RichEmpty}
	case string:
		return parseRichString(v)
	case float64:
		return RichValue{Kind: RichNumber, Number: v, Text: strconv.FormatFloat(v, 'f', -1, 64)}
	case bool:
		return RichValue{Kind: RichBool, Bool: v, Text: strconv.FormatBool(v)}
	case []any:
		out := RichValue{Kind: RichList}
		texts := make([]string, len(v))
		for i, e := range v {
			item := ParseRichValue(e)
			out.Items = append(out.Items, item)
			texts[i] = item.Text
		}
		out.Text = strings.Join(texts, ", ")
		return out
	case map[string]any:
		return parseLinkedData(v)
	}
	return RichValue{Kind: RichOther, Text: fmt.Sprint(v)}
}

// parseRichString interprets a string cell value.
func parseRichString(s string) RichValue {
	if s == "" {
		return RichValue{Kind: RichEmpty}
	}
	if inner, ok := strings.CutPrefix(s, "```"); ok {
		if inner, ok := strings.CutSuffix(inner, "```"); ok {
			return RichValue{Kind: RichText, Text: inner}
		}
	}
	if isDate(s) {
		return RichValue{Kind: RichDate, Text: s}
	}
	return RichValue{Kind: RichText, Text: s}
}

// dateLayouts are the forms a Date or Date and time cell may take in the
// rich format: a full timestamp with its offset (fractional seconds or
// not), a date alone, or a timestamp without offset.
var dateLayouts = []string{time.RFC3339Nano, time.DateOnly, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"}

// isDate reports whether s has one of the forms of [dateLayouts].
func isDate(s string) bool {
	for _, layout := range dateLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// parseLinkedData interprets a JSON-LD cell value.
func parseLinkedData(m map[string]any) RichValue {
	str := func(k string) string { s, _ := m[k].(string); return s }
	switch str("@type") {
	case "Person":
		return RichValue{Kind: RichPerson, Text: str("name"), Email: str("email")}
	case "StructuredValue":
		if str("additionalType") == "row" {
			return RichValue{Kind: RichRow, Text: str("name"), RowID: str("rowId"), TableID: str("tableId"), URL: str("url")}
		}
	case "MonetaryAmount":
		amount, _ := m["amount"].(float64)
		return RichValue{Kind: RichCurrency, Number: amount, Currency: str("currency"),
			Text: str("currency") + " " + strconv.FormatFloat(amount, 'f', -1, 64)}
	case "WebPage":
		return RichValue{Kind: RichLink, Text: str("name"), URL: str("url")}
	case "ImageObject":
		return RichValue{Kind: RichImage, Text: str("name"), URL: str("url")}
	}
	return RichValue{Kind: RichOther, Text: str("name")}
}

// String describes v for a person reading a report, such as
// `person "Ada Lovelace" <ada@example.com>`, `row "API" (i-AbC)` or
// `text "v1.2.0"`: its text, e-mail address and items quoted short
// ([maxQuoted], [maxMessage] for a list), whatever the cell held; Text keeps
// it whole.
func (v RichValue) String() string {
	text := clip(v.Text, maxQuoted)
	switch v.Kind {
	case RichEmpty:
		return "empty"
	case RichPerson:
		if v.Email == "" {
			return fmt.Sprintf("person %q", text)
		}
		return fmt.Sprintf("person %q <%s>", text, clip(v.Email, maxQuoted))
	case RichRow:
		return fmt.Sprintf("row %q (%s)", text, clip(v.RowID, maxQuoted))
	case RichNumber, RichBool, RichCurrency:
		return fmt.Sprintf("%s %s", v.Kind, text)
	case RichList:
		parts := make([]string, len(v.Items))
		for i, it := range v.Items {
			parts[i] = it.String()
		}
		return "list [" + clip(strings.Join(parts, ", "), maxMessage) + "]"
	}
	return fmt.Sprintf("%s %q", v.Kind, text)
}
