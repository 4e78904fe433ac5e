package spectest

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/internal/openapitest"
)

// repair fixes, in place, the parts of the decoded spec no validator can
// check as written. See [Load].
func repair(root map[string]any) error {
	schemas, ok := openapitest.Dig(root, "components", "schemas").(map[string]any)
	if !ok {
		return fmt.Errorf("no components.schemas")
	}
	f := flattener{schemas: schemas, done: map[string]bool{}, busy: map[string]bool{}}
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		if err := f.component(name); err != nil {
			return err
		}
	}
	if err := f.walk(root); err != nil {
		return err
	}
	for _, fix := range []func(map[string]any) error{addTableViewID, completeFormatMapping, cellValueAnyOf} {
		if err := fix(schemas); err != nil {
			return err
		}
	}
	return nil
}

// addTableViewID declares Table.viewId, which Table requires but does not list.
func addTableViewID(schemas map[string]any) error {
	props, ok := openapitest.Dig(schemas, "Table", "properties").(map[string]any)
	if !ok {
		return fmt.Errorf("no Table.properties")
	}
	if _, ok := props["viewId"]; !ok {
		props["viewId"] = map[string]any{"type": "string", "description": "ID of the view (added by spectest: required but undeclared in the spec)."}
	}
	return nil
}

// completeFormatMapping adds the column format types the ColumnFormat
// discriminator mapping leaves out although ColumnFormatType lists them and
// oneOf holds their schemas: link, email and reaction.
func completeFormatMapping(schemas map[string]any) error {
	mapping, ok := openapitest.Dig(schemas, "ColumnFormat", "discriminator", "mapping").(map[string]any)
	if !ok {
		return fmt.Errorf("no ColumnFormat.discriminator.mapping")
	}
	missing := map[string]string{"link": "LinkColumnFormat", "email": "EmailColumnFormat", "reaction": "SimpleColumnFormat"}
	for typ, schema := range missing {
		if _, ok := mapping[typ]; !ok {
			mapping[typ] = "#/components/schemas/" + schema
		}
	}
	return nil
}

// cellValueAnyOf turns CellValue's oneOf[Value, RichValue] into anyOf: every
// scalar matches both (RichValue includes ScalarValue), so no value could
// match exactly one.
func cellValueAnyOf(schemas map[string]any) error {
	cv, ok := schemas["CellValue"].(map[string]any)
	if !ok || cv["oneOf"] == nil {
		return fmt.Errorf("no CellValue.oneOf")
	}
	cv["anyOf"] = cv["oneOf"]
	delete(cv, "oneOf")
	return nil
}

// flattener merges allOf schemas into single schemas.
type flattener struct {
	schemas map[string]any
	done    map[string]bool
	busy    map[string]bool
}

// component flattens the component schema name, once.
func (f *flattener) component(name string) error {
	if f.done[name] {
		return nil
	}
	if f.busy[name] {
		return fmt.Errorf("allOf cycle through %s", name)
	}
	f.busy[name] = true
	defer delete(f.busy, name)
	if err := f.walk(f.schemas[name]); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	f.done[name] = true
	return nil
}

// walk flattens every allOf under v.
func (f *flattener) walk(v any) error {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if err := f.walk(v[k]); err != nil {
				return err
			}
		}
		if _, ok := v["allOf"]; ok {
			return f.merge(v)
		}
	case []any:
		for _, e := range v {
			if err := f.walk(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// merge replaces the allOf of schema s by the union of its members.
func (f *flattener) merge(s map[string]any) error {
	members, _ := s["allOf"].([]any)
	delete(s, "allOf")
	closed := false
	for _, m := range members {
		mm, err := f.resolve(m)
		if err != nil {
			return err
		}
		for k, v := range mm {
			switch k {
			case "properties":
				props, _ := s[k].(map[string]any)
				if props == nil {
					props = map[string]any{}
				}
				maps.Copy(props, v.(map[string]any))
				s[k] = props
			case "required":
				req, _ := s[k].([]any)
				for _, r := range v.([]any) {
					if !slices.Contains(req, r) {
						req = append(req, r)
					}
				}
				s[k] = req
			case "additionalProperties":
				closed = closed || v == false
			case "description", "example", "x-schema-name":
				if _, ok := s[k]; !ok {
					s[k] = v
				}
			default:
				if old, ok := s[k]; ok && !reflect.DeepEqual(old, v) {
					return fmt.Errorf("allOf members disagree on %q", k)
				}
				s[k] = v
			}
		}
	}
	if closed {
		s["additionalProperties"] = false
	}
	return nil
}

// resolve returns the (flattened) schema a member stands for, following a
// component $ref.
func (f *flattener) resolve(m any) (map[string]any, error) {
	mm, ok := m.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("allOf member is not an object")
	}
	ref, ok := mm["$ref"].(string)
	if !ok {
		return mm, nil
	}
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	if err := f.component(name); err != nil {
		return nil, err
	}
	target, ok := f.schemas[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("unknown schema %q", ref)
	}
	return target, nil
}
