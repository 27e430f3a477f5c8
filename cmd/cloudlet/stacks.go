package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func newStacks() *cobra.Command {
	var f clientFlags
	var all bool
	cmd := &cobra.Command{
		Use:   "stacks",
		Short: "List the stacks of a running cloudlet",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			list, err := cfnClient{f.client()}.list(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tSTATUS\tUPDATED\tDESCRIPTION")
			for _, s := range list {
				if !all && (s.Status == "DELETE_COMPLETE" || s.ParentID != "") {
					continue
				}
				when := s.Created
				if !s.Updated.IsZero() {
					when = s.Updated
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Name, s.Status, when.Local().Format(time.DateTime), s.Description)
			}
			return w.Flush()
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "also list nested and deleted stacks")
	return cmd
}

func newDescribe() *cobra.Command {
	var f clientFlags
	var events int
	cmd := &cobra.Command{
		Use:   "describe STACK",
		Short: "Show a stack's status, parameters, outputs, resources and latest events",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return describe(cmd.Context(), cfnClient{f.client()}, args[0], events, cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	cmd.Flags().IntVar(&events, "events", 20, "how many of the latest events to show (0: all)")
	return cmd
}

func describe(ctx context.Context, c cfnClient, name string, nEvents int, out io.Writer) error {
	st, err := c.describe(ctx, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Stack:   %s\nID:      %s\nStatus:  %s\n", st.Name, st.ID, st.Status)
	if st.Reason != "" {
		fmt.Fprintf(out, "Reason:  %s\n", st.Reason)
	}
	if st.Description != "" {
		fmt.Fprintf(out, "About:   %s\n", st.Description)
	}
	fmt.Fprintf(out, "Created: %s\n", st.Created.Local().Format(time.DateTime))
	if !st.Updated.IsZero() {
		fmt.Fprintf(out, "Updated: %s\n", st.Updated.Local().Format(time.DateTime))
	}
	if len(st.Parameters) > 0 {
		fmt.Fprintln(out, "Parameters:")
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		for _, p := range st.Parameters {
			fmt.Fprintf(w, "  %s\t%s\n", p.Key, p.Value)
		}
		w.Flush()
	}
	printStackOutputs(out, st.Outputs)
	res, err := c.resources(ctx, st.ID)
	if err != nil {
		return err
	}
	if len(res) > 0 {
		fmt.Fprintln(out, "Resources:")
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		for _, r := range res {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", r.LogicalID, r.Type, r.Status, r.PhysicalID)
		}
		w.Flush()
	}
	evs, err := c.events(ctx, st.ID)
	if err != nil {
		return err
	}
	if nEvents > 0 && len(evs) > nEvents {
		evs = evs[len(evs)-nEvents:]
	}
	if len(evs) > 0 {
		fmt.Fprintln(out, "Events:")
		p := &eventPrinter{w: out}
		for _, ev := range evs {
			p.print(ev, ev.LogicalID)
		}
	}
	return nil
}

func newDelete() *cobra.Command {
	var f clientFlags
	cmd := &cobra.Command{
		Use:   "delete STACK",
		Short: "Delete a stack of a running cloudlet and show its events until it is gone",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, out := cmd.Context(), cmd.OutOrStdout()
			c := cfnClient{f.client()}
			st, err := c.describe(ctx, args[0])
			if isCode(err, "ValidationError") && strings.Contains(err.Error(), "does not exist") {
				fmt.Fprintf(out, "Stack %s does not exist: nothing to delete\n", args[0])
				return nil
			}
			if err != nil {
				return err
			}
			since := newestEvent(ctx, c, st.ID)
			if err := c.delete(ctx, st.ID); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "cloudlet: delete %s: %v\n", st.Name, err)
				return exitError{1}
			}
			fmt.Fprintf(out, "Deleting stack %s\n", st.Name)
			final, err := watch(ctx, c, st.ID, st.Name, since, &eventPrinter{w: out, tty: isTerminal(out)})
			if err != nil {
				return err
			}
			if final != "DELETE_COMPLETE" {
				fmt.Fprintf(cmd.ErrOrStderr(), "cloudlet: stack %s: %s\n", st.Name, final)
				return exitError{1}
			}
			fmt.Fprintf(out, "Deleted stack %s\n", st.Name)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
