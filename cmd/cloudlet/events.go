package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// isTerminal reports whether w is a terminal, for the live table.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// eventPrinter prints stack events as they arrive: a coloured table on a
// terminal (as `sam deploy` shows them), one plain line per event
// otherwise.
type eventPrinter struct {
	w       io.Writer
	tty     bool
	started bool
}

const (
	colStatus = 44
	colType   = 42
	colID     = 36
)

func (p *eventPrinter) header() {
	if !p.tty || p.started {
		p.started = true
		return
	}
	p.started = true
	rule := strings.Repeat("-", colStatus+colType+colID+40)
	fmt.Fprintln(p.w, rule)
	fmt.Fprintf(p.w, "%-*s %-*s %-*s %s\n", colStatus, "ResourceStatus", colType, "ResourceType", colID, "LogicalResourceId", "ResourceStatusReason")
	fmt.Fprintln(p.w, rule)
}

func (p *eventPrinter) footer() {
	if p.tty && p.started {
		fmt.Fprintln(p.w, strings.Repeat("-", colStatus+colType+colID+40))
	}
}

// print shows one event; id is the logical ID as shown (nested stacks'
// resources are prefixed with their stack's logical ID).
func (p *eventPrinter) print(ev cfnEvent, id string) {
	p.header()
	reason := ev.Reason
	if reason == "" {
		reason = "-"
	}
	if !p.tty {
		fmt.Fprintf(p.w, "%s %s %s %s %s\n", ev.Time.UTC().Format("2006-01-02T15:04:05.000Z"), ev.Status, ev.Type, id, reason)
		return
	}
	status := fmt.Sprintf("%-*s", colStatus, ev.Status)
	switch {
	case strings.Contains(ev.Status, "FAILED") || strings.Contains(ev.Status, "ROLLBACK"):
		status = "\x1b[31m" + status + "\x1b[0m"
	case strings.HasSuffix(ev.Status, "IN_PROGRESS"):
		status = "\x1b[33m" + status + "\x1b[0m"
	case strings.HasSuffix(ev.Status, "COMPLETE"):
		status = "\x1b[32m" + status + "\x1b[0m"
	}
	fmt.Fprintf(p.w, "%s %-*s %-*s %s\n", status, colType, ev.Type, colID, id, reason)
}

// rootDone reports whether ev ends an operation of the root stack: a
// stack-level event whose status is not *_IN_PROGRESS (the test SAM CLI
// applies, spec cloudformation §5.3).
func rootDone(ev cfnEvent, rootID, rootName string) bool {
	return ev.Type == "AWS::CloudFormation::Stack" && ev.PhysicalID == rootID && ev.LogicalID == rootName &&
		!strings.HasSuffix(ev.Status, "_IN_PROGRESS")
}

// newestEvent is the time of the stack's newest event (zero when none):
// events after it belong to the next operation.
func newestEvent(ctx context.Context, c cfnClient, stackID string) time.Time {
	evs, err := c.events(ctx, stackID)
	if err != nil || len(evs) == 0 {
		return time.Time{}
	}
	return evs[len(evs)-1].Time
}

// watch prints the events of the stack and its nested stacks newer than
// since until the root stack's operation ends, and returns its final
// status.
func watch(ctx context.Context, c cfnClient, rootID, rootName string, since time.Time, p *eventPrinter) (string, error) {
	seen := map[string]bool{}
	children := map[string]string{} // nested stack ID → logical ID shown
	order := []string{rootID}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		var batch []cfnEvent
		// A pass may discover nested stacks; their events are read in the
		// same round, so that nothing is missed when the root is done.
		for done := 0; done < len(order); {
			id := order[done]
			done++
			evs, err := c.events(ctx, id)
			if err != nil {
				return "", err
			}
			for _, ev := range evs {
				if seen[ev.ID] || !ev.Time.After(since) {
					continue
				}
				seen[ev.ID] = true
				batch = append(batch, ev)
				if ev.Type == "AWS::CloudFormation::Stack" && strings.HasPrefix(ev.PhysicalID, "arn:") && ev.PhysicalID != id {
					if _, known := children[ev.PhysicalID]; !known {
						children[ev.PhysicalID] = prefixOf(children, id) + ev.LogicalID
						order = append(order, ev.PhysicalID)
					}
				}
			}
		}
		sortEvents(batch)
		final := ""
		for _, ev := range batch {
			id := ev.LogicalID
			if ev.StackID != rootID {
				if ev.Type == "AWS::CloudFormation::Stack" && ev.PhysicalID == ev.StackID {
					id = children[ev.StackID] // the nested stack's own status
				} else {
					id = children[ev.StackID] + "/" + ev.LogicalID
				}
			}
			p.print(ev, id)
			if rootDone(ev, rootID, rootName) {
				final = ev.Status
			}
		}
		if final != "" {
			p.footer()
			return final, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-tick.C:
		}
	}
}

func prefixOf(children map[string]string, stackID string) string {
	if p, ok := children[stackID]; ok {
		return p + "/"
	}
	return ""
}

func sortEvents(evs []cfnEvent) {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].Time.Before(evs[j-1].Time); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}
