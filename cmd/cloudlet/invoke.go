package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

func newInvoke() *cobra.Command {
	var f clientFlags
	var payload, qualifier, invocationType string
	var showLog bool
	cmd := &cobra.Command{
		Use:   "invoke FUNCTION",
		Short: "Invoke a function of a running cloudlet and print its result",
		Long: `invoke calls the Lambda Invoke API of the cloudlet at --endpoint (signed with
--access-key and --secret-key, as the AWS CLI would) and prints the function's
result on standard output. With --log the last 4 KB of the invocation's log
go to standard error. The exit status is 1 when the function failed (the
error payload is still printed), as it is when cloudlet refused the call.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := readPayload(payload, cmd.InOrStdin())
			if err != nil {
				return err
			}
			h := http.Header{}
			if invocationType != "" {
				h.Set("X-Amz-Invocation-Type", invocationType)
			}
			if showLog && invocationType == "" {
				h.Set("X-Amz-Log-Type", "Tail")
			}
			q := url.Values{}
			if qualifier != "" {
				q.Set("Qualifier", qualifier)
			}
			resp, out, err := f.client().call(cmd.Context(), "lambda", http.MethodPost, functionPath(args[0], "invocations"), q, h, body)
			if err != nil {
				return fmt.Errorf("invoke %s: %w", args[0], err)
			}
			if resp.StatusCode != http.StatusOK {
				// Event (202) and DryRun (204) have no result to print.
				fmt.Fprintf(cmd.OutOrStdout(), "%d %s (request %s)\n", resp.StatusCode, http.StatusText(resp.StatusCode), resp.Header.Get("X-Amzn-RequestId"))
				return nil
			}
			if tail := resp.Header.Get("X-Amz-Log-Result"); tail != "" {
				if text, err := base64.StdEncoding.DecodeString(tail); err == nil {
					fmt.Fprint(cmd.ErrOrStderr(), string(text))
					if !strings.HasSuffix(string(text), "\n") {
						fmt.Fprintln(cmd.ErrOrStderr())
					}
				}
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(out))
			if resp.Header.Get("X-Amz-Function-Error") != "" {
				return exitError{1}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&payload, "payload", "{}", "the event: JSON text, or @FILE (@- reads standard input)")
	cmd.Flags().StringVar(&qualifier, "qualifier", "", "version or alias to invoke (default $LATEST)")
	cmd.Flags().StringVar(&invocationType, "invocation-type", "", "RequestResponse (default), Event or DryRun")
	cmd.Flags().BoolVar(&showLog, "log", false, "print the invocation's log tail on standard error")
	return cmd
}
