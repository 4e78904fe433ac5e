package main

// These tests keep the documentation and the packaging honest without a
// Docker engine: README.md and the reference pages in docs/ against the code
// (variables, defaults, fields, JSON names, the built-in template), their
// links against their headings, pipe.yml against the examples, and the
// Dockerfile against the repository. The Variables table and the YAML
// Definition are the README's; the long reference material is in docs/.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/publish"
)

// readDoc returns the text of a file at the repository's root.
func readDoc(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(data)
}

// section returns the part of the file named name under its first heading
// line equal to heading, up to the next heading of the same or a higher
// level.
func section(t *testing.T, name, heading string) string {
	t.Helper()
	level := strings.Index(heading, " ")
	lines := strings.Split(readDoc(t, name), "\n")
	start := slices.Index(lines, heading)
	if start < 0 {
		t.Fatalf("%s has no %q section", name, heading)
	}
	end := len(lines)
	inFence := false
	for i := start + 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if n := headingLevel(lines[i]); n > 0 && n <= level {
			end = i
			break
		}
	}
	return strings.Join(lines[start+1:end], "\n")
}

// headingLevel returns the level of a markdown heading line, or 0.
func headingLevel(line string) int {
	n := len(line) - len(strings.TrimLeft(line, "#"))
	if n == 0 || n > 6 || !strings.HasPrefix(line[n:], " ") {
		return 0
	}
	return n
}

// fencedBlocks returns the contents of the fenced code blocks of text whose
// info string is lang.
func fencedBlocks(text, lang string) []string {
	var blocks []string
	var cur []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```"+lang:
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// envVariables lists the variables a user of the pipe sets, leaving out
// Bitbucket's own.
func envVariables(t *testing.T) []variableTag {
	t.Helper()
	var vars []variableTag
	for _, v := range variableTags() {
		if !v.bitbucket {
			vars = append(vars, v)
		}
	}
	if len(vars) == 0 {
		t.Fatal("variables has no env-tagged fields")
	}
	return vars
}

// variableRow is one row of the README's Variables table.
type variableRow struct {
	name     string
	required bool
	usage    string
}

var variableRowRE = regexp.MustCompile(`^\|\s*([A-Z][A-Z0-9_]*)(\s*\(\*\))?\s*\|(.*)\|\s*$`)

// variableRows parses the README's Variables table.
func variableRows(t *testing.T) map[string]variableRow {
	t.Helper()
	rows := map[string]variableRow{}
	for _, line := range strings.Split(section(t, "README.md", "## Variables"), "\n") {
		m := variableRowRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if _, dup := rows[m[1]]; dup {
			t.Errorf("README.md: variable %s has two rows in the Variables table", m[1])
		}
		rows[m[1]] = variableRow{name: m[1], required: m[2] != "", usage: m[3]}
	}
	if len(rows) == 0 {
		t.Fatal("README.md: no rows found in the Variables table")
	}
	return rows
}

// requiredVariables asks the code which variables a real run requires: the
// ones parseConfig reports as a "required field" for an empty environment.
func requiredVariables(t *testing.T) []string {
	t.Helper()
	env, err := loadEnv(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = parseConfig(env, nil)
	var ve *validationError
	if !errors.As(err, &ve) {
		t.Fatalf("an empty environment should not be valid outside a dry run; got %v", err)
	}
	var required []string
	for _, p := range ve.Problems {
		if strings.HasPrefix(p.Message, "required field") && !slices.Contains(required, p.Variable) {
			required = append(required, p.Variable)
		}
	}
	if len(required) == 0 {
		t.Fatal("parseConfig reports no required variable")
	}
	return required
}

func TestReadmeVariablesTableMatchesEnv(t *testing.T) {
	rows := variableRows(t)
	vars := envVariables(t)
	names := make([]string, len(vars))
	for i, v := range vars {
		names[i] = v.name
		row, ok := rows[v.name]
		if !ok {
			t.Errorf("README.md: variable %s of Env has no row in the Variables table", v.name)
			continue
		}
		if v.hasDefault && !strings.Contains(row.usage, "Default: `"+v.def+"`.") {
			t.Errorf("README.md: the row of %s should say Default: `%s`. (the default in config.go)", v.name, v.def)
		}
	}
	for name := range rows {
		if !slices.Contains(names, name) {
			t.Errorf("README.md: the Variables table has a row for %s, which is not a variable of Env", name)
		}
	}
	if !strings.Contains(section(t, "README.md", "## Variables"), "_(*) = required variable._") {
		t.Error("README.md: the Variables table should end with _(*) = required variable._")
	}
}

func TestReadmeRequiredVariables(t *testing.T) {
	rows := variableRows(t)
	required := requiredVariables(t)
	for name, row := range rows {
		if want := slices.Contains(required, name); row.required != want {
			t.Errorf("README.md: %s is marked required=%v in the Variables table, but the code says required=%v", name, row.required, want)
		}
	}

	blocks := fencedBlocks(section(t, "README.md", "## YAML Definition"), "yaml")
	if len(blocks) == 0 {
		t.Fatal("README.md: the YAML Definition section has no yaml block")
	}
	block := blocks[0]
	if !regexp.MustCompile(`(?m)^- pipe: `).MatchString(block) {
		t.Error("README.md: the YAML Definition block has no `- pipe:` line")
	}
	uncommented := regexp.MustCompile(`(?m)^\s+([A-Z][A-Z0-9_]*): '<[a-z]+>'\s*$`)
	commented := regexp.MustCompile(`(?m)^\s+# ([A-Z][A-Z0-9_]*): '<[a-z]+>' # Optional\.?\s*$`)
	seen := map[string]string{}
	for _, m := range uncommented.FindAllStringSubmatch(block, -1) {
		seen[m[1]] = "required"
	}
	for _, m := range commented.FindAllStringSubmatch(block, -1) {
		if _, dup := seen[m[1]]; dup {
			t.Errorf("README.md: %s appears twice in the YAML Definition", m[1])
		}
		seen[m[1]] = "optional"
	}
	for _, v := range envVariables(t) {
		want := "optional"
		if slices.Contains(required, v.name) {
			want = "required"
		}
		switch got, ok := seen[v.name]; {
		case !ok:
			t.Errorf("README.md: %s is missing from the YAML Definition (as NAME: '<type>' when required, # NAME: '<type>' # Optional otherwise)", v.name)
		case got != want:
			t.Errorf("README.md: %s is %s in the YAML Definition but %s in the code", v.name, got, want)
		}
	}
	for name := range seen {
		if _, ok := rows[name]; !ok {
			t.Errorf("README.md: the YAML Definition names %s, which has no row in the Variables table", name)
		}
	}
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "# DEBUG: '<boolean>' # Optional" {
		t.Errorf("README.md: the YAML Definition should end with # DEBUG: '<boolean>' # Optional, not %q", last)
	}
}

var (
	pipeImageRE   = regexp.MustCompile(`(?m)^image:\s*(\S+?):(\S+)\s*$`)
	pipeLineRE    = regexp.MustCompile(`- pipe:\s*(\S+)`)
	imageVersion  = regexp.MustCompile(`codachangelog/coda-changelog:([^\s'"` + "`" + `)]+)`)
	dockerRefRE   = regexp.MustCompile(`docker://([^\s'"` + "`" + `]+)`)
	semverLikeTag = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
)

func TestReadmeVersionMatchesPipeYml(t *testing.T) {
	pipeYml := readDoc(t, "pipe.yml")
	m := pipeImageRE.FindStringSubmatch(pipeYml)
	if m == nil {
		t.Fatal("pipe.yml: no image: <name>:<version> line")
	}
	image, version := m[1], m[2]
	if !semverLikeTag.MatchString(version) {
		t.Errorf("pipe.yml: image tag %q is not a bare semantic version", version)
	}
	// The README must show the image; every page checks what it shows.
	for _, name := range docFiles(t) {
		text := readDoc(t, name)
		pipes := pipeLineRE.FindAllStringSubmatch(text, -1)
		if len(pipes) == 0 && name == "README.md" {
			t.Fatal("README.md: no `- pipe:` example")
		}
		for _, p := range pipes {
			ref := strings.TrimPrefix(p[1], "docker://")
			if want := image + ":" + version; ref != want {
				t.Errorf("%s: `- pipe: %s` should use %s (pipe.yml's image)", name, p[1], want)
			}
		}
		for _, d := range dockerRefRE.FindAllStringSubmatch(text, -1) {
			if !strings.HasPrefix(d[1], image+":") {
				t.Errorf("%s: docker://%s is not pipe.yml's image %s", name, d[1], image)
			}
		}
		tags := imageVersion.FindAllStringSubmatch(text, -1)
		if len(tags) == 0 && name == "README.md" {
			t.Fatal("README.md: no reference to the image with its version")
		}
		for _, tag := range tags {
			if tag[1] != version {
				t.Errorf("%s: %s uses version %s, but pipe.yml's image is %s:%s", name, tag[0], tag[1], image, version)
			}
		}
	}
}

// docFiles lists the user documentation: README.md, then the pages of docs/.
func docFiles(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"README.md"}, pages...)
}

func TestDockerfile(t *testing.T) {
	dockerfile := readDoc(t, "Dockerfile")
	// Join continuation lines so that each instruction is one line.
	dockerfile = strings.ReplaceAll(dockerfile, "\\\n", " ")
	copies := 0
	for _, line := range strings.Split(dockerfile, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "COPY", "ADD":
			copies++
			if slices.ContainsFunc(fields[1:], func(f string) bool { return strings.HasPrefix(f, "--from=") }) {
				continue
			}
			args := withoutFlags(fields[1:])
			if len(args) < 2 {
				t.Errorf("Dockerfile: %q has no source and destination", line)
				continue
			}
			for _, src := range args[:len(args)-1] {
				if _, err := os.Stat(src); err != nil {
					t.Errorf("Dockerfile: %s copies %s, which is not in the repository: %v", fields[0], src, err)
				}
			}
		}
	}
	if copies == 0 {
		t.Error("Dockerfile: no COPY line")
	}
	if !regexp.MustCompile(`(?m)^ENTRYPOINT \["/pipe"\]`).MatchString(dockerfile) {
		t.Error(`Dockerfile: the entry point should be ["/pipe"]`)
	}
}

// withoutFlags drops the --flag arguments of an instruction.
func withoutFlags(args []string) []string {
	var out []string
	for _, a := range args {
		if !strings.HasPrefix(a, "--") {
			out = append(out, a)
		}
	}
	return out
}

// fieldTable renders the README's table of the fields offered in rows of
// mode m, from the publisher's table of fields.
func fieldTable(m publish.RowMode) string {
	var b strings.Builder
	b.WriteString("| Field | Holds | Other column types |\n|---|---|---|\n")
	for _, f := range publish.Fields(m) {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, f.Holds, f.Fits)
	}
	return b.String()
}

func TestReadmeFieldTablesMatchTheFields(t *testing.T) {
	fields := section(t, "docs/fields.md", "## Fields")
	for _, m := range append(publish.RowModes, publish.PerDeployment) {
		if want := fieldTable(m); !strings.Contains(fields, want) {
			t.Errorf("docs/fields.md: the Fields section should have this table for ROW_PER: '%s' (made from internal/publish/fields.go):\n%s", m, want)
		}
	}
	// The README's short Fields section names every field.
	short := section(t, "README.md", "### Fields")
	for _, m := range publish.RowModes {
		for _, f := range publish.Fields(m) {
			if !strings.Contains(short, "`"+f.Name+"`") {
				t.Errorf("README.md: the Fields section should name the field `%s` (ROW_PER: '%s')", f.Name, m)
			}
		}
	}
}

// jsonKeys returns the json names of a struct type's fields.
func jsonKeys(typ reflect.Type) []string {
	var keys []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		keys = append(keys, name)
	}
	return keys
}

func TestReadmeDocumentsTheReleaseJSON(t *testing.T) {
	text := section(t, "docs/release-json.md", "# The release JSON")
	for _, typ := range []reflect.Type{
		reflect.TypeFor[changelog.Release](), reflect.TypeFor[changelog.Entry](),
		reflect.TypeFor[changelog.Repository](), reflect.TypeFor[changelog.Build](),
		reflect.TypeFor[changelog.Person](), reflect.TypeFor[changelog.Footer](),
		reflect.TypeFor[changelog.Deployment](),
	} {
		for _, k := range jsonKeys(typ) {
			if !strings.Contains(text, "`"+k+"`") {
				t.Errorf("docs/release-json.md: json key %q of changelog.%s is not documented", k, typ.Name())
			}
		}
	}

	// The example must be valid JSON with exactly the keys the pipe writes.
	examples := fencedBlocks(text, "json")
	if len(examples) == 0 {
		t.Fatal("docs/release-json.md has no json example")
	}
	var rel map[string]json.RawMessage
	if err := json.Unmarshal([]byte(examples[0]), &rel); err != nil {
		t.Fatalf("docs/release-json.md: the example is not valid JSON: %v", err)
	}
	sameKeys(t, "the release", rel, jsonKeys(reflect.TypeFor[changelog.Release]()))
	var entries []map[string]json.RawMessage
	if err := json.Unmarshal(rel["entries"], &entries); err != nil || len(entries) == 0 {
		t.Fatalf("docs/release-json.md: the example needs at least one entry (%v)", err)
	}
	sameKeys(t, "an entry", entries[0], jsonKeys(reflect.TypeFor[changelog.Entry]()))
}

// sameKeys reports when the keys of obj differ from want.
func sameKeys(t *testing.T, what string, obj map[string]json.RawMessage, want []string) {
	t.Helper()
	got := make([]string, 0, len(obj))
	for k := range obj {
		got = append(got, k)
	}
	sort.Strings(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("docs/release-json.md: the example's keys of %s are %v, the pipe writes %v", what, got, want)
	}
}

func TestReadmeCommandsMatchCI(t *testing.T) {
	readme := readDoc(t, "README.md")
	ci := readDoc(t, ".ci/run")
	const vet, test = "go vet ./...", "go test -race -shuffle=on -count=1 ./..."
	for _, cmd := range []string{vet, test} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(cmd) + `\s*$`).MatchString(ci) {
			t.Errorf(".ci/run no longer runs %q; update the README's test command", cmd)
		}
	}
	// The first screen is a user's: the part before the first ## heading
	// holds no contributor command. The Development section gives the two
	// commands a newcomer needs, each on a line of its own: a dry run of the
	// pipe on this repository, and the tests as .ci/run runs them.
	var top []string
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "## ") {
			break
		}
		top = append(top, line)
	}
	first := strings.Join(top, "\n")
	development := strings.Split(section(t, "README.md", "## Development"), "\n")
	for _, cmd := range []string{"DRY_RUN=true go run .", vet + " && " + test} {
		if !slices.Contains(development, cmd) {
			t.Errorf("README.md: the Development section should give the command %q on a line of its own", cmd)
		}
	}
	for _, cmd := range []string{"go run", "go vet", "go test"} {
		if strings.Contains(first, cmd) {
			t.Errorf("README.md: the part before the first ## heading is for users: it should not hold the contributor command %q (it belongs in Development)", cmd)
		}
	}
}

func TestPipeYmlListsEveryVariable(t *testing.T) {
	var listed []variableTag
	var cur *variableTag
	for _, line := range strings.Split(readDoc(t, "pipe.yml"), "\n") {
		if name, ok := strings.CutPrefix(line, "  - name: "); ok {
			listed = append(listed, variableTag{name: name})
			cur = &listed[len(listed)-1]
		} else if def, ok := strings.CutPrefix(line, "    default: "); ok && cur != nil {
			cur.def = strings.Trim(def, `"`)
		}
	}
	want := envVariables(t)
	for i := range want {
		want[i].hasDefault = false
	}
	if !reflect.DeepEqual(listed, want) {
		t.Errorf("pipe.yml's variables: list should name every variable with its default, in the code's order:\n got %v\nwant %v", listed, want)
	}
}

func TestReadmeOffersTheBuiltinTemplate(t *testing.T) {
	templates := fencedBlocks(section(t, "docs/templates.md", "# Release notes and custom templates"), "gotemplate")
	if len(templates) < 2 {
		t.Fatalf("docs/templates.md should show the built-in template and an example, in gotemplate blocks; found %d", len(templates))
	}
	if templates[0]+"\n" != changelog.BuiltinTemplate {
		t.Errorf("docs/templates.md: the first template is not the built-in one (changelog/notes.tmpl); it should read:\n%s", changelog.BuiltinTemplate)
	}
	rel := changelog.Release{Version: "v1.1.0", Entries: []changelog.Entry{
		{SHA: "3fa4c2e8d1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6", ShortSHA: "3fa4c2e", Type: "feat", Scope: "cart", Subject: "keep the *cart*",
			Author: changelog.Person{Name: "Jane Doe"}},
	}}
	for i, text := range templates {
		path := filepath.Join(t.TempDir(), "notes.tmpl")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		notes, err := changelog.LoadNotes(path)
		if err != nil {
			t.Fatalf("docs/templates.md: template %d does not load: %v", i+1, err)
		}
		md, err := notes.Render(rel)
		if err != nil {
			t.Fatalf("docs/templates.md: template %d does not render: %v", i+1, err)
		}
		if !strings.Contains(md, "## v1.1.0") || !strings.Contains(md, `keep the \*cart\*`) {
			t.Errorf("docs/templates.md: template %d renders no heading or no escaped subject:\n%s", i+1, md)
		}
	}
}

// TestReleasePipelineUsesPipeYmlsImage: the release pipeline pushes, and
// runs, the image pipe.yml names, tagged with the release's tag.
func TestReleasePipelineUsesPipeYmlsImage(t *testing.T) {
	m := pipeImageRE.FindStringSubmatch(readDoc(t, "pipe.yml"))
	if m == nil {
		t.Fatal("pipe.yml: no image: <name>:<version> line")
	}
	ci := readDoc(t, "bitbucket-pipelines.yml")
	for _, want := range []string{
		"--tag " + m[1] + `:"$BITBUCKET_TAG"`,
		"- pipe: docker://" + m[1] + ":$BITBUCKET_TAG",
		`--build-arg VERSION="$BITBUCKET_TAG"`,
	} {
		if !strings.Contains(ci, want) {
			t.Errorf("bitbucket-pipelines.yml: the release should use pipe.yml's image: no %q", want)
		}
	}
}

var (
	mdLinkRE   = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	codeSpanRE = regexp.MustCompile("`[^`]*`")
	slugDropRE = regexp.MustCompile(`[^\p{L}\p{N} _-]`)
)

// proseOf returns text without its fenced code blocks and code spans, where
// brackets and parentheses are code, not links.
func proseOf(text string) string {
	var out []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			in = !in
			continue
		}
		if !in {
			out = append(out, line)
		}
	}
	return codeSpanRE.ReplaceAllString(strings.Join(out, "\n"), "")
}

// anchors returns the anchors of the headings of a markdown text, as
// Bitbucket and GitHub make them: lower case, punctuation dropped, spaces
// as hyphens.
func anchors(text string) []string {
	var out []string
	for _, line := range strings.Split(proseOf(text), "\n") {
		if n := headingLevel(line); n > 0 {
			title := strings.ToLower(strings.TrimSpace(line[n:]))
			out = append(out, strings.ReplaceAll(slugDropRE.ReplaceAllString(title, ""), " ", "-"))
		}
	}
	return out
}

// TestDocsLinksResolve: every link between the README and the pages of
// docs/ names a file that exists and a heading it has, and every page of
// docs/ is linked from the README, so that moving a section breaks no link
// and strands no page.
func TestDocsLinksResolve(t *testing.T) {
	readmeLinks := map[string]bool{}
	for _, name := range docFiles(t) {
		for _, m := range mdLinkRE.FindAllStringSubmatch(proseOf(readDoc(t, name)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := name
			if file != "" {
				path = filepath.ToSlash(filepath.Join(filepath.Dir(name), file))
			}
			if name == "README.md" {
				readmeLinks[path] = true
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: the link %s names %s, which does not exist", name, target, path)
				continue
			}
			if anchor != "" && strings.HasSuffix(path, ".md") && !slices.Contains(anchors(readDoc(t, path)), anchor) {
				t.Errorf("%s: the link %s names #%s, which is no heading of %s (headings: %v)", name, target, anchor, path, anchors(readDoc(t, path)))
			}
		}
	}
	for _, page := range docFiles(t)[1:] {
		if !readmeLinks[page] {
			t.Errorf("README.md does not link to %s", page)
		}
	}
}

// readmeLimit is the size of a README a user can skim; reference material
// belongs in docs/.
const readmeLimit, detailLimit = 25_000, 1_200

// TestReadmeIsSkimmable: the README stays under readmeLimit bytes, and each
// subsection of Details is a few sentences and a link to its page in docs/.
func TestReadmeIsSkimmable(t *testing.T) {
	if n := len(readDoc(t, "README.md")); n > readmeLimit {
		t.Errorf("README.md is %d bytes, over %d: move reference material to a page of docs/ and link it", n, readmeLimit)
	}
	details := section(t, "README.md", "## Details")
	var headings []string
	for _, line := range strings.Split(details, "\n") {
		if headingLevel(line) == 3 {
			headings = append(headings, line)
		}
	}
	if len(headings) == 0 {
		t.Fatal("README.md: the Details section has no ### subsections")
	}
	for _, h := range headings {
		text := section(t, "README.md", h)
		if len(text) > detailLimit {
			t.Errorf("README.md: %q is %d bytes, over %d: keep a few sentences and link the docs/ page for the rest", h, len(text), detailLimit)
		}
		if !strings.Contains(text, "](docs/") {
			t.Errorf("README.md: %q links to no page of docs/", h)
		}
	}
}
