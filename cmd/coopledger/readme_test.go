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

// readmeSections names the README headings whose first ```sh block is a
// walkthrough: run verbatim against a freshly loaded demo, each curl answer
// checked against the "# → …" line that follows it.
var readmeSections = []string{"### A first walk through the API", "### Agreements and payout runs, step by step"}

// readmeAddr is the address the README's examples use; the test's server
// listens on a free port instead, and only this text is replaced.
const readmeAddr = "127.0.0.1:8080"

// readmeStep is one curl command of a walkthrough and the answer shown for it.
type readmeStep struct {
	command string
	expect  string // the text after "# → ", "…" standing for anything
}

func TestReadmeWalkthroughs(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed (.ci/run installs it); the README walkthroughs need it")
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, heading := range readmeSections {
		block, ok := shellBlockAfter(string(raw), heading)
		if !ok {
			if heading == readmeSections[0] {
				t.Fatalf("README has no sh block after %q", heading)
			}
			continue
		}
		t.Run(strings.TrimLeft(heading, "# "), func(t *testing.T) {
			eachDialect(t, func(t *testing.T, dsn string) { runWalkthrough(t, dsn, block) })
		})
	}
}

// shellBlockAfter returns the first ```sh block after heading.
func shellBlockAfter(doc, heading string) (string, bool) {
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		return "", false
	}
	rest := doc[i:]
	start := strings.Index(rest, "```sh\n")
	if start < 0 {
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
			t.Errorf("README step %q has no \"# → \" answer after it", step.command)
			continue
		}
		if !matchesEllipsis(outputs[i], step.expect) {
			t.Errorf("README step\n  %s\nanswered\n  %s\nnot as the README says:\n  %s", step.command, outputs[i], step.expect)
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
