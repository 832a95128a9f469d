package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// readmeMaxBytes bounds the README: what coopledger is, the two commands, the
// first walk and the maps; everything else belongs in docs/.
const readmeMaxBytes = 15360

// repoRoot is the repository root as seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

// docFiles returns README.md and docs/*.md, relative to the repository root.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md"}
	more, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(more) == 0 {
		t.Fatalf("no docs/*.md found under %s", repoRoot)
	}
	for _, m := range more {
		rel, err := filepath.Rel(repoRoot, m)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.ToSlash(rel))
	}
	return files
}

func TestReadmeSize(t *testing.T) {
	info, err := os.Stat(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() > readmeMaxBytes {
		t.Fatalf("README.md is %d bytes, more than %d: move the detail into docs/", info.Size(), readmeMaxBytes)
	}
}

var (
	fencedBlock = regexp.MustCompile("(?ms)^```.*?^```[ \t]*$")
	inlineCode  = regexp.MustCompile("`[^`\n]*`")
	mdLink      = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	htmlSrc     = regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	scheme      = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// docLinks returns the link targets of a Markdown text, outside code.
func docLinks(text string) []string {
	text = fencedBlock.ReplaceAllString(text, "")
	text = inlineCode.ReplaceAllString(text, "")
	var out []string
	for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	for _, m := range htmlSrc.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// headingAnchors returns the anchors GitHub gives a Markdown file's headings:
// lower case, punctuation dropped (letters of any script kept), spaces to
// hyphens, "-1", "-2" … for repeats.
func headingAnchors(text string) map[string]bool {
	text = fencedBlock.ReplaceAllString(text, "")
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		if title == "" || !strings.HasPrefix(strings.TrimLeft(line, "#"), " ") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			anchors[slug+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	return anchors
}

// TestDocLinks: every relative link and image in README.md and docs/*.md
// names an existing file, and every #anchor an existing heading.
func TestDocLinks(t *testing.T) {
	texts := map[string]string{}
	for _, f := range docFiles(t) {
		raw, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = string(raw)
	}
	linked := map[string]bool{}
	for f, text := range texts {
		for _, target := range docLinks(text) {
			if scheme.MatchString(target) {
				continue // http:, https:, mailto: …
			}
			path, anchor, _ := strings.Cut(target, "#")
			dest := f
			if path != "" {
				dest = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(f), path)))
				if strings.HasPrefix(dest, "../") {
					t.Errorf("%s links %q, outside the repository", f, target)
					continue
				}
				if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(dest))); err != nil {
					t.Errorf("%s links %q: %s does not exist", f, target, dest)
					continue
				}
				linked[dest] = true
			}
			if anchor == "" {
				continue
			}
			destText, ok := texts[dest]
			if !ok {
				t.Errorf("%s links %q: anchors are checked only in README.md and docs/*.md", f, target)
				continue
			}
			if !headingAnchors(destText)[anchor] {
				t.Errorf("%s links %q: %s has no heading with anchor #%s", f, target, dest, anchor)
			}
		}
	}
	// Every picture under docs/ is shown somewhere.
	pictures, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*", "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pictures {
		rel, _ := filepath.Rel(repoRoot, p)
		if rel = filepath.ToSlash(rel); !linked[rel] {
			t.Errorf("%s is not shown by README.md or any docs/*.md", rel)
		}
	}
}

// TestPerformanceMatchesBenchJSON: docs/performance.md describes the run whose
// output is docs/bench.json, so the "Latest run" it names is that run's start.
func TestPerformanceMatchesBenchJSON(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "docs", "bench.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bench struct {
		When  string `json:"when"`
		Quick bool   `json:"quick"`
	}
	if err := json.Unmarshal(raw, &bench); err != nil {
		t.Fatalf("docs/bench.json: %v", err)
	}
	if bench.Quick {
		t.Errorf("docs/bench.json is a --quick run; the documented figures come from a full make bench")
	}
	if len(bench.When) < len("2006-01-02T15:04") {
		t.Fatalf("docs/bench.json: when = %q", bench.When)
	}
	want := "Latest run, " + bench.When[:10] + " " + bench.When[11:16]
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "performance.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), want) {
		t.Errorf("docs/performance.md does not say %q: update its figures together with docs/bench.json", want)
	}
}
