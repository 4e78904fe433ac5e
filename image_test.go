package main

// These tests keep the images the pipe is built and tested on honest without
// a Docker engine: every base image names a tag of the form Docker's official
// images publish, the builder's Go matches go.mod, builder and runtime share
// an Alpine minor, and, where the snapshot of the official tags is at hand
// (../shared/images/official-tags.md), every tag is one that was published.

import (
	"errors"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// officialTagsFile is the snapshot of the tags Docker's official images
// published, kept beside the repository (not in it).
const officialTagsFile = "../shared/images/official-tags.md"

// Tag forms the official images publish, with the parts the checks compare.
var (
	golangAlpineTag = regexp.MustCompile(`^(\d+\.\d+)\.\d+-alpine(\d+\.\d+)$`)
	golangDebianTag = regexp.MustCompile(`^(\d+\.\d+)\.\d+-(trixie|bookworm)$`)
	alpineTag       = regexp.MustCompile(`^(\d+\.\d+)\.\d+$`)
	dockerCLITag    = regexp.MustCompile(`^\d+\.\d+\.\d+-cli$`)
	goDirective     = regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?$`)
	ciImageLine     = regexp.MustCompile(`(?m)^\s*image:\s*(\S+)\s*$`)
)

// imageRef is an image name and its tag.
type imageRef struct{ name, tag string }

func parseImageRef(s string) imageRef {
	name, tag, _ := strings.Cut(s, ":")
	return imageRef{name: name, tag: tag}
}

// dockerfileBaseImages returns the images the Dockerfile's FROM lines name,
// in order, leaving out earlier stages.
func dockerfileBaseImages(t *testing.T) []imageRef {
	t.Helper()
	var stages []string
	var out []imageRef
	for _, line := range strings.Split(readDoc(t, "Dockerfile"), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.EqualFold(fields[0], "FROM") {
			continue
		}
		args := withoutFlags(fields[1:])
		if len(args) == 0 {
			continue
		}
		if !slices.Contains(stages, args[0]) {
			out = append(out, parseImageRef(args[0]))
		}
		if len(args) >= 3 && strings.EqualFold(args[1], "AS") {
			stages = append(stages, args[2])
		}
	}
	return out
}

func TestDockerfileImages(t *testing.T) {
	images := dockerfileBaseImages(t)
	if len(images) != 2 {
		t.Fatalf("Dockerfile: want two base images (a golang builder and an alpine runtime), found %v", images)
	}
	builder, runtime := images[0], images[1]
	if builder.name != "golang" {
		t.Fatalf("Dockerfile: the builder is %s, want an official golang image", builder.name)
	}
	if runtime.name != "alpine" {
		t.Fatalf("Dockerfile: the runtime is %s, want the official alpine image", runtime.name)
	}
	b := golangAlpineTag.FindStringSubmatch(builder.tag)
	if b == nil {
		t.Fatalf("Dockerfile: golang:%s is not of the form the official images publish (1.26.7-alpine3.24)", builder.tag)
	}
	r := alpineTag.FindStringSubmatch(runtime.tag)
	if r == nil {
		t.Fatalf("Dockerfile: alpine:%s is not pinned to a patch release (3.24.1)", runtime.tag)
	}
	if b[2] != r[1] {
		t.Errorf("Dockerfile: the builder is on Alpine %s but the runtime on Alpine %s: use one Alpine minor", b[2], r[1])
	}
	m := goDirective.FindStringSubmatch(readDoc(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod: no go directive")
	}
	if b[1] != m[1] {
		t.Errorf("Dockerfile: the builder has Go %s but go.mod says go %s: keep the same minor", b[1], m[1])
	}
}

func TestCIImages(t *testing.T) {
	for _, ref := range ciImages(t) {
		ok := false
		switch ref.name {
		case "golang":
			ok = golangDebianTag.MatchString(ref.tag) || golangAlpineTag.MatchString(ref.tag)
		case "docker":
			ok = dockerCLITag.MatchString(ref.tag)
		default:
			continue // not an official image this test knows
		}
		if !ok {
			t.Errorf("bitbucket-pipelines.yml: %s:%s is not a tag of the form the official images publish", ref.name, ref.tag)
		}
	}
}

// ciImages returns the step images of bitbucket-pipelines.yml.
func ciImages(t *testing.T) []imageRef {
	var out []imageRef
	for _, m := range ciImageLine.FindAllStringSubmatch(readDoc(t, "bitbucket-pipelines.yml"), -1) {
		out = append(out, parseImageRef(m[1]))
	}
	if len(out) == 0 {
		t.Fatal("bitbucket-pipelines.yml: no image: line")
	}
	return out
}

func TestImagesArePublished(t *testing.T) {
	data, err := os.ReadFile(officialTagsFile)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is not beside the repository, so the tags cannot be checked against the official list", officialTagsFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	published := parseOfficialTags(string(data))
	for _, name := range []string{"golang", "alpine", "docker"} {
		if len(published[name]) == 0 {
			t.Fatalf("%s lists no %s tags: has its layout changed?", officialTagsFile, name)
		}
	}
	images := append(dockerfileBaseImages(t), ciImages(t)...)
	for _, ref := range images {
		tags, known := published[ref.name]
		if known && !tags[ref.tag] {
			t.Errorf("%s:%s was never published by Docker's official images (see %s)", ref.name, ref.tag, officialTagsFile)
		}
	}
}

// parseOfficialTags reads the snapshot: under each "## name" heading, a
// fenced block of comma-separated tags, one line per image.
func parseOfficialTags(doc string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	var image string
	inFence := false
	for _, line := range strings.Split(doc, "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			inFence = !inFence
		case !inFence && strings.HasPrefix(line, "## "):
			image = strings.TrimSpace(strings.TrimPrefix(line, "## "))
			if strings.Contains(image, " ") {
				image = "" // a section of prose, not an image's tags
			}
		case inFence && image != "":
			if out[image] == nil {
				out[image] = map[string]bool{}
			}
			for _, tag := range strings.Split(line, ",") {
				if tag = strings.TrimSpace(tag); tag != "" {
					out[image][tag] = true
				}
			}
		}
	}
	return out
}

func TestParseOfficialTags(t *testing.T) {
	doc := "# Tags\n\n## golang\n\n```\n1.26.7-alpine3.24, 1.26-alpine3.24\n```\n\n## History of something\n\n```\n2026 1.26.4-alpine3.22\n```\n"
	got := parseOfficialTags(doc)
	if !got["golang"]["1.26.7-alpine3.24"] || !got["golang"]["1.26-alpine3.24"] {
		t.Errorf("golang tags not read: %v", got)
	}
	if got["golang"]["2026 1.26.4-alpine3.22"] || len(got) != 1 {
		t.Errorf("a prose section was read as tags: %v", got)
	}
}
