package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// walkthroughs names the documentation headings whose first ```sh block is a
// walkthrough: run verbatim against a freshly loaded demo, each curl answer
// checked against the "# → …" line that follows it. Paths are relative to the
// repository root. A heading or block that is gone fails the test: a renamed
// heading must be renamed here too, never silently skipped.
var walkthroughs = []struct{ file, heading string }{
	{"README.md", "### A first walk through the API"},
	{"docs/api.md", "## Agreements and payout runs, step by step"},
	{"docs/cooperative.md", "## The surplus distribution plan (盈余分配方案)"},
}

// readmeAddr is the address the README's examples use; the test's server
// listens on a free port instead, and only this text is replaced.
const readmeAddr = "127.0.0.1:8080"

// readmeStep is one curl command of a walkthrough and the answer shown for it.
type readmeStep struct {
	command string
	expect  string // the text after "# → ", "…" standing for anything
}

// TestWalkthroughsPresent needs no curl: every walkthrough the next test
// runs is where walkthroughs says, with at least one curl step.
func TestWalkthroughsPresent(t *testing.T) {
	for _, w := range walkthroughs {
		walkthroughBlock(t, w.file, w.heading)
	}
}

func TestReadmeWalkthroughs(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed (.ci/run installs it); the README walkthroughs need it")
	}
	for _, w := range walkthroughs {
		block := walkthroughBlock(t, w.file, w.heading)
		t.Run(strings.TrimLeft(w.heading, "# "), func(t *testing.T) {
			eachDialect(t, func(t *testing.T, dsn string) { runWalkthrough(t, dsn, block) })
		})
	}
}

// walkthroughBlock returns the ```sh block of file's section heading, or
// fails the test naming the file and heading.
func walkthroughBlock(t *testing.T, file, heading string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(file)))
	if err != nil {
		t.Fatalf("walkthrough %s %q: %v", file, heading, err)
	}
	block, ok := shellBlockAfter(string(raw), heading)
	if !ok {
		t.Fatalf("%s has no heading %q with a ```sh block in its section: the walkthrough moved or was renamed; update walkthroughs in readme_test.go", file, heading)
	}
	if _, steps := parseWalkthrough(block); len(steps) == 0 {
		t.Fatalf("%s %q: the ```sh block has no curl step", file, heading)
	}
	return block
}

// shellBlockAfter returns the first ```sh block after heading, provided no
// other heading comes between them.
func shellBlockAfter(doc, heading string) (string, bool) {
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		return "", false
	}
	rest := doc[i+1+len(heading):]
	start := strings.Index(rest, "```sh\n")
	if start < 0 || strings.Contains(rest[:start], "\n#") {
		return "", false
	}
	rest = rest[start+len("```sh\n"):]
	end := strings.Index(rest, "```")
	if end < 0 {
		return "", false
	}
	return rest[:end], true
}

// parseWalkthrough joins continued lines and turns the block into a script
// that marks the start of every curl's output, plus the expected answers.
func parseWalkthrough(block string) (script string, steps []readmeStep) {
	var sb strings.Builder
	var logical []string
	pending := ""
	for _, line := range strings.Split(block, "\n") {
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\")
			continue
		}
		logical = append(logical, pending+line)
		pending = ""
	}
	for _, line := range logical {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "# → "):
			if len(steps) > 0 {
				steps[len(steps)-1].expect = strings.TrimPrefix(trimmed, "# → ")
			}
		case strings.HasPrefix(trimmed, "curl "):
			fmt.Fprintf(&sb, "printf '\\n@@@%d\\n'\n%s\n", len(steps), line)
			steps = append(steps, readmeStep{command: trimmed})
		default:
			sb.WriteString(line + "\n")
		}
	}
	return sb.String(), steps
}

func runWalkthrough(t *testing.T, dsn, block string) {
	dir := t.TempDir()
	mustInvoke(t, "demo", "--db", dsn, "--tokens-file", filepath.Join(dir, "data", "demo-tokens.txt"))

	addr := serveInBackground(t, dsn)

	script, steps := parseWalkthrough(block)
	script = strings.ReplaceAll(script, readmeAddr, addr)
	sctx, scancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer scancel()
	cmd := exec.CommandContext(sctx, "bash", "-eu", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough failed: %v\n%s", err, out)
	}
	outputs := splitOutputs(string(out), len(steps))
	for i, step := range steps {
		if step.expect == "" {
			t.Errorf("walkthrough step %q has no \"# → \" answer after it", step.command)
			continue
		}
		if !matchesEllipsis(outputs[i], step.expect) {
			t.Errorf("walkthrough step\n  %s\nanswered\n  %s\nnot as the documentation says:\n  %s", step.command, outputs[i], step.expect)
		}
	}
}

var outputMarker = regexp.MustCompile(`(?m)^@@@(\d+)$`)

// splitOutputs cuts the script's output at the markers printed before each curl.
func splitOutputs(out string, n int) []string {
	outputs := make([]string, n)
	marks := outputMarker.FindAllStringSubmatchIndex(out, -1)
	for k, m := range marks {
		var idx int
		fmt.Sscanf(out[m[2]:m[3]], "%d", &idx)
		end := len(out)
		if k+1 < len(marks) {
			end = marks[k+1][0]
		}
		if idx < n {
			outputs[idx] = strings.TrimSpace(out[m[1]:end])
		}
	}
	return outputs
}

// matchesEllipsis reports whether got contains the parts of want between
// "…" in order, the first at the very start unless want begins with "…".
func matchesEllipsis(got, want string) bool {
	parts := strings.Split(want, "…")
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	rest := got[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return len(parts) > 1 || rest == ""
}
