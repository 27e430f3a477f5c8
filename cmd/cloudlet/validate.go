package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/spf13/cobra"
)

func newValidate() *cobra.Command {
	return &cobra.Command{
		Use:   "validate TEMPLATE",
		Short: "Check a template offline and report every problem, with file, line and logical ID",
		Long: `validate checks TEMPLATE without a running cloudlet: its structure, intrinsic
functions, references, dependency cycles, resource types, unknown and missing
required properties — every problem in one pass, each with its file, line and
logical ID and AWS's wording. Nested templates named by TemplateURL are read
from the files beside TEMPLATE. The exit status is 1 when a problem is found.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validate(cmd.Context(), args[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
}

func validate(ctx context.Context, file string, stdout, stderr io.Writer) error {
	body, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read template: %w", err)
	}
	sum, err := stack.Validate(ctx, stack.ValidateConfig{Registry: platform.Schemas(), Templates: besideFiles(filepath.Dir(file)),
		Region: platform.DefaultRegion, AccountID: platform.DefaultAccountID}, file, body)
	var ve *stack.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Fprintln(stderr, p)
		}
		if len(ve.Problems) == 0 {
			fmt.Fprintf(stderr, "%s: %s\n", file, ve.AWS.Message)
		}
		fmt.Fprintf(stderr, "%s: %d problem(s)\n", file, max(1, len(ve.Problems)))
		return exitError{1}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is valid", file)
	if sum.Description != "" {
		fmt.Fprintf(stdout, ": %s", sum.Description)
	}
	fmt.Fprintln(stdout)
	for _, p := range sum.Parameters {
		def := ""
		if p.Default != nil {
			def = " (default " + *p.Default + ")"
		}
		fmt.Fprintf(stdout, "  parameter %s: %s%s\n", p.Key, p.Type, def)
	}
	fmt.Fprintf(stdout, "  resource types: %s\n", strings.Join(sum.ResourceTypes, ", "))
	if len(sum.Capabilities) > 0 {
		fmt.Fprintf(stdout, "  needs %s (%s)\n", strings.Join(sum.Capabilities, ", "), sum.CapabilitiesReason)
	}
	return nil
}

// besideFiles reads nested templates from the files beside the parent
// template, by the TemplateURL's last part.
type besideFiles string

func (d besideFiles) FetchTemplate(ctx context.Context, url string) (string, []byte, error) {
	_, key, err := s3.ParseURL(url)
	if err != nil {
		return "", nil, err
	}
	file := filepath.Join(string(d), path.Base(key))
	body, err := os.ReadFile(file)
	return file, body, err
}
