package stack_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

var update = flag.Bool("update", false, "rewrite testdata/engine/*.golden")

// archive is a test case: named files ("-- name --" lines start each).
type archive struct {
	names []string
	files map[string]string
}

func parseArchive(src string) archive {
	a := archive{files: map[string]string{}}
	var cur string
	for _, line := range strings.SplitAfter(src, "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(strings.TrimSpace(line), " --") {
			cur = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "-- "), " --")
			a.names = append(a.names, cur)
			a.files[cur] = ""
			continue
		}
		if cur != "" {
			a.files[cur] += line
		}
	}
	return a
}

// TestGolden runs each testdata/engine/*.txtar case: its "ops" file lists
// stack operations on the other files; the normalised result of each —
// status, reason, outputs, the events it added (oldest first), the
// provider calls and what is left — is compared with the .golden file.
// Parallelism is 1 so that the event order is deterministic.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/engine/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			ar := parseArchive(string(src))
			h := &harness{t: t, ar: ar, seen: map[string]int{}}
			h.e, h.fs = newEngine(t, engineOpts{par: 1, templates: mapTemplates(ar.files),
				ssm: map[string]string{"/cloudlet/test/version": "21", "/cloudlet/test/secret": "s3cr3t-from-ssm"}})
			for _, line := range strings.Split(ar.files["ops"], "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
					h.op(line)
				}
			}
			got := normalize(h.out.String())
			golden := strings.TrimSuffix(file, ".txtar") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s: output differs from %s (run with -update and review the diff):\n%s", name, golden, diffLines(string(want), got))
			}
		})
	}
}

type harness struct {
	t    *testing.T
	ar   archive
	e    *stack.Engine
	fs   *fakes
	out  strings.Builder
	seen map[string]int // stack ID → events already printed
	cs   string         // last change set ARN
	nCS  int
}

func (h *harness) printf(format string, args ...any) { fmt.Fprintf(&h.out, format, args...) }

// op runs one line of the ops file:
//
//	create FILE [K=V...] [stack=NAME] [nocaps] [disable-rollback]
//	update FILE [K=V...] [stack=NAME] [disable-rollback]
//	changeset FILE [K=V...] [stack=NAME]   (CREATE or UPDATE as needed)
//	execute [stack=NAME]
//	delete [stack=NAME]
//	protect on|off [stack=NAME]
//	validate FILE
func (h *harness) op(line string) {
	ctx := context.Background()
	fields := strings.Fields(line)
	h.printf("== %s\n", line)
	name := "test"
	params := map[string]string{}
	caps := stack.AllCapabilities
	disable := false
	var file string
	for _, f := range fields[1:] {
		switch {
		case strings.HasPrefix(f, "stack="):
			name = strings.TrimPrefix(f, "stack=")
		case f == "nocaps":
			caps = nil
		case f == "disable-rollback":
			disable = true
		case strings.Contains(f, "="):
			k, v, _ := strings.Cut(f, "=")
			params[k] = v
		default:
			file = f
		}
	}
	body := []byte(h.ar.files[file])
	var st *stack.Stack
	var err error
	switch fields[0] {
	case "create":
		st, err = h.e.CreateStack(ctx, stack.CreateInput{StackName: name, TemplateBody: body, TemplateName: file,
			Parameters: params, Capabilities: caps, DisableRollback: disable})
	case "update":
		st, err = h.e.UpdateStack(ctx, stack.UpdateInput{StackName: name, TemplateBody: body, TemplateName: file,
			Parameters: params, Capabilities: caps, DisableRollback: disable})
	case "delete":
		var cur *stack.Stack
		cur, err = h.e.Describe(ctx, name)
		if err == nil {
			st = cur
			err = h.e.DeleteStack(ctx, name)
		}
	case "protect":
		if _, err := h.e.UpdateTerminationProtection(ctx, name, file == "on"); err != nil {
			h.printError(err)
		}
		return
	case "changeset":
		typ := stack.ChangeSetTypeUpdate
		if cur, derr := h.e.Describe(ctx, name); derr != nil || cur.Status == stack.ReviewInProgress {
			typ = stack.ChangeSetTypeCreate
		}
		var cs *stack.ChangeSet
		cs, err = h.e.CreateChangeSet(ctx, stack.CreateChangeSetInput{StackName: name, ChangeSetName: fmt.Sprintf("cs%d", h.csCount()),
			ChangeSetType: typ, TemplateBody: body, TemplateName: file, Parameters: params, Capabilities: caps})
		if err == nil {
			h.cs = cs.ID
			h.printChangeSet(cs)
			st, _ = h.e.Describe(ctx, name)
			h.printEvents(st)
			return
		}
	case "execute":
		st, err = h.e.ExecuteChangeSet(ctx, h.cs, "", disable)
	case "validate":
		var s *stack.Summary
		s, err = h.e.Validate(ctx, file, body)
		if err == nil {
			h.printf("description: %s\ncapabilities: %v %s\ntypes: %v\n", s.Description, s.Capabilities, s.CapabilitiesReason, s.ResourceTypes)
			for _, p := range s.Parameters {
				def := "<none>"
				if p.Default != nil {
					def = *p.Default
				}
				h.printf("parameter %s %s default=%s noecho=%v\n", p.Key, p.Type, def, p.NoEcho)
			}
			return
		}
	default:
		h.t.Fatalf("unknown op %q", line)
	}
	if err != nil {
		h.printError(err)
		if st == nil {
			return
		}
	}
	st, werr := h.e.Wait(ctx, st.ID)
	if st == nil {
		h.printf("wait: %v\n", werr)
		return
	}
	h.printf("status: %s\n", st.Status)
	if st.StatusReason != "" {
		h.printf("reason: %s\n", st.StatusReason)
	}
	for _, p := range st.Masked().Parameters {
		h.printf("parameter: %s = %s\n", p.Key, p.Value)
	}
	for _, o := range st.Outputs {
		h.printf("output: %s = %s", o.Key, o.Value)
		if o.ExportName != "" {
			h.printf(" (export %s)", o.ExportName)
		}
		h.printf("\n")
	}
	h.printEvents(st)
	h.printOps()
}

func (h *harness) printError(err error) {
	var ve *stack.ValidationError
	if errors.As(err, &ve) {
		h.printf("error: %s: %s\n", ve.AWS.Code, ve.AWS.Message)
		for _, p := range ve.Problems {
			h.printf("  problem: %s\n", p)
		}
		return
	}
	if ae, ok := awserr.As(err); ok {
		h.printf("error: %s (%d): %s\n", ae.Code, ae.HTTPStatus(), ae.Message)
		return
	}
	h.printf("error: %v\n", err)
}

// printEvents prints the events the stack and its nested stacks recorded
// since the last call, oldest first.
func (h *harness) printEvents(st *stack.Stack) {
	ctx := context.Background()
	h.printStackEvents(st.ID, "events")
	all, _ := h.e.ListStacks(ctx)
	sort.Slice(all, func(i, j int) bool { return all[i].CreationTime.Before(all[j].CreationTime) })
	for _, c := range all {
		if c.RootID == st.ID {
			h.printStackEvents(c.ID, "events of nested "+c.ParentLogicalID)
		}
	}
}

func (h *harness) printStackEvents(id, title string) {
	evs, err := h.e.Events(context.Background(), id)
	if err != nil {
		h.printf("%s: %v\n", title, err)
		return
	}
	slices.Reverse(evs)
	if h.seen[id] >= len(evs) {
		return
	}
	h.printf("%s:\n", title)
	var last time.Time
	for _, ev := range evs[h.seen[id]:] {
		if !ev.Timestamp.After(last) {
			h.t.Errorf("event %s at %v is not after the previous one (%v)", ev.EventID, ev.Timestamp, last)
		}
		last = ev.Timestamp
		line := fmt.Sprintf("  %-10s %-42s %-45s %s", ev.LogicalResourceID, ev.ResourceType, ev.ResourceStatus, ev.PhysicalResourceID)
		if ev.ResourceStatusReason != "" {
			line += fmt.Sprintf(" %q", ev.ResourceStatusReason)
		}
		if strings.Contains(ev.ResourceProperties, "****") {
			line += " props=" + ev.ResourceProperties
		}
		h.printf("%s\n", strings.TrimRight(line, " "))
	}
	h.seen[id] = len(evs)
}

func (h *harness) printOps() {
	for _, op := range h.fs.takeOps() {
		h.printf("call: %s\n", op)
	}
	h.printf("live: %v\n", h.fs.liveIDs())
}

func (h *harness) printChangeSet(cs *stack.ChangeSet) {
	m := cs.Masked()
	h.printf("changeset: %s %s %s %s", m.Type, m.Status, m.ExecutionStatus, m.StatusReason)
	h.printf("\n")
	for _, p := range m.Parameters {
		h.printf("parameter: %s = %s\n", p.Key, p.Value)
	}
	for _, c := range m.Changes {
		h.printf("change: %s %s %s %s replacement=%s scope=%v\n", c.Action, c.LogicalResourceID, c.ResourceType, c.PhysicalResourceID, c.Replacement, c.Scope)
		for _, d := range c.Details {
			h.printf("  detail: %s.%s recreate=%s %s %s %s\n", d.Target.Attribute, d.Target.Name, d.Target.RequiresRecreation, d.Evaluation, d.ChangeSource, d.CausingEntity)
		}
	}
}

var (
	uuidRE   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	nestedRE = regexp.MustCompile(`-[A-Z0-9]{12}\b`)
)

func normalize(s string) string {
	s = uuidRE.ReplaceAllString(s, "<uuid>")
	return nestedRE.ReplaceAllString(s, "-<SUFFIX>")
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
			if b.Len() > 2000 {
				break
			}
		}
	}
	return b.String()
}

func (h *harness) csCount() int {
	h.nCS++
	return h.nCS
}
