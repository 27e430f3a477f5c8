package stack

import (
	"context"
	"errors"
	"sort"
	"sync"
)

// errCancelled is the cause walk gives the context of calls still
// running when another call failed: AWS cancels resources in progress
// when one fails ("Resource creation cancelled", spec §5.3).
var errCancelled = errors.New("cancelled: another resource failed")

// cancelled reports whether ctx was cancelled by walk because another
// call failed.
func cancelled(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), errCancelled)
}

// walkMode says what a failure does to the rest of a walk.
type walkMode int

const (
	// stopOnFailure starts nothing new after a failure and cancels the
	// calls still running (creates and updates: AWS rolls back).
	stopOnFailure walkMode = iota
	// keepGoing carries on with everything that does not depend on the
	// failed node (deletes: AWS deletes what it can).
	keepGoing
)

// walk calls fn for every node once each of its dependencies that is also
// in nodes has succeeded, running up to par calls at once. It returns the
// nodes whose call failed and those never started, each sorted. Nothing
// new starts once ctx is done.
func walk(ctx context.Context, nodes []string, deps map[string][]string, par int, mode walkMode, fn func(ctx context.Context, id string) error) (failed, skipped []string) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	in := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		in[n] = true
	}
	waiting := map[string]int{}         // node → unfinished deps
	dependents := map[string][]string{} // dep → nodes waiting on it
	for _, n := range nodes {
		seen := map[string]bool{}
		for _, d := range deps[n] {
			if in[d] && d != n && !seen[d] {
				seen[d] = true
				waiting[n]++
				dependents[d] = append(dependents[d], n)
			}
		}
	}
	var (
		mu      sync.Mutex
		ready   []string
		started = map[string]bool{}
		stop    bool
		active  int
		cond    = sync.NewCond(&mu)
	)
	for _, n := range nodes {
		if waiting[n] == 0 {
			ready = append(ready, n)
		}
	}
	sort.Strings(ready)
	mu.Lock()
	for {
		if ctx.Err() != nil {
			stop = true
		}
		for !stop && len(ready) > 0 && active < par {
			n := ready[0]
			ready = ready[1:]
			started[n] = true
			active++
			go func() {
				err := fn(ctx, n)
				mu.Lock()
				active--
				if err != nil {
					failed = append(failed, n)
					if mode == stopOnFailure {
						stop = true
						cancel(errCancelled)
					}
				} else {
					var next []string
					for _, m := range dependents[n] {
						if waiting[m]--; waiting[m] == 0 {
							next = append(next, m)
						}
					}
					sort.Strings(next)
					ready = append(ready, next...)
				}
				cond.Broadcast()
				mu.Unlock()
			}()
		}
		if active == 0 && (stop || len(ready) == 0) {
			break
		}
		cond.Wait()
	}
	mu.Unlock()
	for _, n := range nodes {
		if !started[n] {
			skipped = append(skipped, n)
		}
	}
	sort.Strings(failed)
	sort.Strings(skipped)
	return failed, skipped
}

// reverse returns the dependency map with edges flipped: for deletion a
// node waits for everything that depended on it.
func reverse(deps map[string][]string) map[string][]string {
	out := map[string][]string{}
	for n, ds := range deps {
		for _, d := range ds {
			out[d] = append(out[d], n)
		}
	}
	return out
}
