package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// succeeded are the final statuses of a deploy that worked.
var succeeded = map[string]bool{"CREATE_COMPLETE": true, "UPDATE_COMPLETE": true, "DELETE_COMPLETE": true}

func newDeploy() *cobra.Command {
	var f clientFlags
	var stackName string
	var params, caps []string
	cmd := &cobra.Command{
		Use:   "deploy TEMPLATE --stack-name NAME",
		Short: "Create or update a stack on a running cloudlet and show its events as they happen",
		Long: `deploy creates the stack (or updates it when it exists) from TEMPLATE on the
cloudlet at --endpoint, through its CloudFormation API, and prints the stack's
events as they happen — a live table on a terminal, one line per event
otherwise — then the stack's outputs. The exit status is 1 when the stack
does not reach CREATE_COMPLETE or UPDATE_COMPLETE.

Before deploying, what the template needs is put in cloudlet as the AWS tools
would: nested templates whose TemplateURL names a file beside TEMPLATE are
uploaded to that S3 object, and a CDK app's assets (cdk.out/*.assets.json)
to the CDK bootstrap bucket, with the /cdk-bootstrap/…/version parameter.

As with AWS, templates with IAM resources need --capabilities CAPABILITY_IAM
(CAPABILITY_NAMED_IAM for named ones).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kv, err := keyValues(params, "--param")
			if err != nil {
				return err
			}
			if stackName == "" {
				stackName = stackNameFor(args[0])
			}
			return deploy(cmd.Context(), f.client(), deployInput{file: args[0], stack: stackName, params: kv, caps: splitCaps(caps)},
				cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&stackName, "stack-name", "", "name of the stack (default: from the template's file name)")
	cmd.Flags().StringArrayVar(&params, "param", nil, "template parameter KEY=VALUE (repeatable)")
	cmd.Flags().StringSliceVar(&caps, "capabilities", nil, "capabilities to acknowledge: CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND")
	return cmd
}

func splitCaps(list []string) []string {
	var out []string
	for _, c := range list {
		for _, f := range strings.Fields(c) {
			out = append(out, strings.ToUpper(f))
		}
	}
	return out
}

type deployInput struct {
	file, stack string
	params      map[string]string
	caps        []string
}

func deploy(ctx context.Context, c *awsClient, in deployInput, stdout, stderr io.Writer) error {
	body, err := os.ReadFile(in.file)
	if err != nil {
		return fmt.Errorf("read template: %w", err)
	}
	account, region, err := server(ctx, c)
	if err != nil {
		return err
	}
	pub := &publisher{c: c, account: account, region: region, log: stdout}
	if err := pub.publish(ctx, in.file, body, in.params); err != nil {
		return err
	}
	si := stackInput{name: in.stack, templateBody: string(body), params: in.params, capabilities: in.caps}
	if len(body) > maxTemplateBody {
		if si.templateURL, err = pub.templateURL(ctx, body); err != nil {
			return fmt.Errorf("upload template: %w", err)
		}
	}
	cfn := cfnClient{c}
	cur, err := cfn.describe(ctx, in.stack)
	switch {
	case err == nil && cur.Status == "ROLLBACK_COMPLETE":
		// AWS allows only a delete from here; start over, as up does.
		fmt.Fprintf(stdout, "Stack %s is ROLLBACK_COMPLETE from a failed create: deleting it first\n", in.stack)
		// The marker is read before the delete starts: a delete that ends
		// before it is read would hide its own events.
		since := newestEventOf(ctx, cfn, cur.ID)
		if err := cfn.delete(ctx, cur.ID); err != nil {
			return err
		}
		if _, err := watch(ctx, cfn, cur.ID, cur.Name, since, &eventPrinter{w: stdout, tty: isTerminal(stdout)}); err != nil {
			return err
		}
		cur = nil
	case err == nil && cur.Status == "REVIEW_IN_PROGRESS":
		cur = nil
	case isCode(err, "ValidationError") && strings.Contains(err.Error(), "does not exist"):
		cur, err = nil, nil
	case err != nil:
		return err
	}
	var id string
	var since time.Time
	if cur == nil {
		fmt.Fprintf(stdout, "Creating stack %s from %s on %s\n", in.stack, in.file, c.endpoint)
		id, err = cfn.create(ctx, si)
	} else {
		since = newestEventOf(ctx, cfn, cur.ID)
		fmt.Fprintf(stdout, "Updating stack %s from %s on %s\n", in.stack, in.file, c.endpoint)
		id, err = cfn.update(ctx, si)
		if isCode(err, "ValidationError") && strings.Contains(err.Error(), "No updates are to be performed") {
			fmt.Fprintf(stdout, "No changes to deploy. Stack %s is up to date\n", in.stack)
			return nil
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "cloudlet: deploy %s: %v\n", in.stack, err)
		if isCode(err, "InsufficientCapabilitiesException") {
			fmt.Fprintln(stderr, "cloudlet: acknowledge them with --capabilities, as with `aws cloudformation deploy`")
		}
		return exitError{1}
	}
	final, err := watch(ctx, cfn, id, in.stack, since, &eventPrinter{w: stdout, tty: isTerminal(stdout)})
	if err != nil {
		return err
	}
	st, err := cfn.describe(ctx, id)
	if err == nil {
		printStackOutputs(stdout, st.Outputs)
	}
	if !succeeded[final] {
		fmt.Fprintf(stderr, "cloudlet: stack %s: %s\n", in.stack, final)
		if st != nil && st.Reason != "" {
			fmt.Fprintf(stderr, "  %s\n", st.Reason)
		}
		return exitError{1}
	}
	fmt.Fprintf(stdout, "Successfully deployed stack %s (%s)\n", in.stack, final)
	return nil
}

func newestEventOf(ctx context.Context, c cfnClient, id string) time.Time {
	return newestEvent(ctx, c, id)
}

// printStackOutputs prints outputs sorted by key.
func printStackOutputs(w io.Writer, outs []cfnOut) {
	if len(outs) == 0 {
		return
	}
	sort.Slice(outs, func(i, j int) bool { return outs[i].Key < outs[j].Key })
	width := 0
	for _, o := range outs {
		width = max(width, len(o.Key))
	}
	fmt.Fprintln(w, "Outputs:")
	for _, o := range outs {
		line := fmt.Sprintf("  %-*s  %s", width, o.Key, o.Value)
		if o.ExportName != "" {
			line += "  (export " + o.ExportName + ")"
		}
		fmt.Fprintln(w, line)
	}
}
