package stack

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
)

func TestWalkOrderAndFailure(t *testing.T) {
	deps := map[string][]string{"B": {"A"}, "C": {"A"}, "D": {"B", "C"}, "E": nil}
	nodes := []string{"A", "B", "C", "D", "E"}
	var mu sync.Mutex
	done := map[string]bool{}
	failed, skipped := walk(context.Background(), nodes, deps, 4, stopOnFailure, func(_ context.Context, id string) error {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range deps[id] {
			if !done[d] {
				t.Errorf("%s started before its dependency %s finished", id, d)
			}
		}
		done[id] = true
		return nil
	})
	if len(failed) != 0 || len(skipped) != 0 || len(done) != 5 {
		t.Fatalf("walk = failed %v skipped %v done %v, want all done", failed, skipped, done)
	}

	failed, skipped = walk(context.Background(), nodes, deps, 1, stopOnFailure, func(_ context.Context, id string) error {
		if id == "B" {
			return errors.New("boom")
		}
		return nil
	})
	if !slices.Equal(failed, []string{"B"}) || !slices.Contains(skipped, "D") {
		t.Errorf("walk with B failing = failed %v skipped %v, want [B] and D skipped", failed, skipped)
	}
}

func TestReverse(t *testing.T) {
	got := reverse(map[string][]string{"B": {"A"}, "C": {"A", "B"}})
	if !slices.Equal(got["A"], []string{"B", "C"}) && !slices.Equal(got["A"], []string{"C", "B"}) {
		t.Errorf("reverse[A] = %v, want B and C", got["A"])
	}
	if !slices.Equal(got["B"], []string{"C"}) {
		t.Errorf("reverse[B] = %v, want [C]", got["B"])
	}
}
