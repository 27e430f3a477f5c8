package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/spf13/cobra"
)

//go:embed example/*.yaml
var example embed.FS

func newUp() *cobra.Command {
	var f serverFlags
	var stackName string
	var params []string
	cmd := &cobra.Command{
		Use:   "up [TEMPLATE]",
		Short: "Serve, deploy a template as a stack, print its endpoints and stream its functions' logs",
		Long: `up starts cloudlet, deploys TEMPLATE (default ./template.yaml, or the embedded
example when there is none) as a stack, prints the stack's outputs and the URLs of
its HTTP APIs, then serves and echoes every function's log lines until interrupted.
Running up again on the same data directory updates the stack.

Nested stacks' TemplateURLs are read from cloudlet's S3; an object it lacks is
looked up as the file of the same name in TEMPLATE's folder.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := upInput(args, f.dataDir)
			if err != nil {
				return err
			}
			if stackName != "" {
				in.StackName = stackName
			}
			if in.Parameters, err = keyValues(params, "--param"); err != nil {
				return err
			}
			return up(cmd.Context(), &f, in, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&stackName, "stack-name", "", "name of the stack (default: from the template's file name)")
	cmd.Flags().StringArrayVar(&params, "param", nil, "template parameter KEY=VALUE (repeatable)")
	return cmd
}

// upInput decides what to deploy: the named template, ./template.yaml, or
// the embedded example (written to the data directory so that its nested
// templates are files beside it).
func upInput(args []string, dataDir string) (platform.DeployInput, error) {
	path := "template.yaml"
	if len(args) == 1 {
		path = args[0]
		if !fileExists(path) {
			return platform.DeployInput{}, fmt.Errorf("template %s: no such file", path)
		}
	}
	if fileExists(path) {
		return platform.DeployInput{TemplatePath: path, StackName: stackNameFor(path)}, nil
	}
	dir := filepath.Join(dataDir, "example")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return platform.DeployInput{}, err
	}
	entries, _ := example.ReadDir("example")
	for _, e := range entries {
		b, _ := example.ReadFile("example/" + e.Name())
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return platform.DeployInput{}, err
		}
	}
	return platform.DeployInput{TemplatePath: filepath.Join(dir, "template.yaml"), StackName: "cloudlet-example"}, nil
}

var nonName = regexp.MustCompile(`[^a-zA-Z0-9-]+`)

// stackNameFor derives a stack name from a template's file name
// (fa-005.yaml → fa-005; template.yaml → its folder's name).
func stackNameFor(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if base == "template" {
		if abs, err := filepath.Abs(path); err == nil {
			base = filepath.Base(filepath.Dir(abs))
		}
	}
	name := strings.Trim(nonName.ReplaceAllString(base, "-"), "-")
	if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		name = "app-" + name
	}
	return strings.TrimSuffix(name, "-")
}

func up(ctx context.Context, f *serverFlags, in platform.DeployInput, stdout, stderr io.Writer) error {
	p, err := f.start(ctx, stderr)
	if err != nil {
		return err
	}
	printServing(stdout, p, f.dataDir)

	// Echo function output from the start: the first requests may come
	// while we are still printing.
	events, cancel := p.Logs.Subscribe("", "")
	defer cancel()
	go func() {
		for ev := range events {
			if fn, ok := strings.CutPrefix(ev.LogGroupName, "/aws/lambda/"); ok {
				fmt.Fprintf(stdout, "[%s] %s", fn, ensureNewline(ev.Message))
			}
		}
	}()

	fmt.Fprintf(stdout, "Deploying %s as stack %s ...\n", in.TemplatePath, in.StackName)
	res, err := p.Deploy(ctx, in)
	if err != nil {
		fmt.Fprintln(stderr, describeFailure(err))
		_ = stop(p, stderr)
		return exitError{1}
	}
	switch res.Action {
	case "none":
		fmt.Fprintf(stdout, "Stack %s is up to date (%s)\n", res.Stack.Name, res.Stack.Status)
	default:
		fmt.Fprintf(stdout, "Stack %s: %s\n", res.Stack.Name, res.Stack.Status)
	}
	printOutputs(stdout, res.Stack)
	eps, err := p.Endpoints(ctx, res.Stack.ID)
	if err != nil {
		fmt.Fprintln(stderr, "cloudlet: list HTTP APIs:", err)
	}
	for _, ep := range eps {
		fmt.Fprintf(stdout, "HTTP API %s (%s, %s):\n", ep.Name, ep.APIID, ep.LogicalID)
		for _, u := range ep.URLs {
			fmt.Fprintf(stdout, "  %s\n", u)
		}
	}
	fmt.Fprintln(stdout, "Function logs follow. Press Ctrl+C to stop.")
	<-ctx.Done()
	fmt.Fprintln(stdout, "cloudlet: stopping")
	return stop(p, stderr)
}

func printOutputs(w io.Writer, st *stack.Stack) {
	if len(st.Outputs) == 0 {
		return
	}
	outs := append([]stack.Output(nil), st.Outputs...)
	sort.Slice(outs, func(i, j int) bool { return outs[i].Key < outs[j].Key })
	width := 0
	for _, o := range outs {
		width = max(width, len(o.Key))
	}
	fmt.Fprintln(w, "Outputs:")
	for _, o := range outs {
		fmt.Fprintf(w, "  %-*s  %s\n", width, o.Key, o.Value)
	}
}

// describeFailure renders a deploy error for the terminal: every problem
// found, with file, line and logical ID where known.
func describeFailure(err error) string {
	var ve *stack.ValidationError
	if errors.As(err, &ve) {
		return "cloudlet: the template was refused, nothing was created:\n  " + strings.ReplaceAll(ve.Error(), "\n", "\n  ")
	}
	var oe *stack.OperationError
	if errors.As(err, &oe) {
		return "cloudlet: deploy failed: " + oe.Error()
	}
	return "cloudlet: deploy failed: " + err.Error()
}

func ensureNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// keyValues parses repeated KEY=VALUE flags.
func keyValues(list []string, flag string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(list))
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s %q: want KEY=VALUE", flag, kv)
		}
		out[k] = v
	}
	return out, nil
}
