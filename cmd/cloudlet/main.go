// Command cloudlet runs AWS-style serverless applications — CloudFormation
// stacks of Lambda functions behind API Gateway HTTP APIs, with IAM,
// CloudWatch Logs and S3 — on this machine, with no AWS account and no
// Docker. See the README for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "cloudlet:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status after its message was printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "cloudlet",
		Short:         "Run AWS serverless applications locally: CloudFormation, Lambda, HTTP APIs, IAM, Logs, S3",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServe(), newUp(), newInvoke(), newLogs(), newDeploy(), newStacks(), newDescribe(), newDelete(), newValidate())
	return root
}
