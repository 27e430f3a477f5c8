package console

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Issue 8 §5: a NoEcho parameter's value is masked wherever a function's
// environment carries it, whatever the variable is called.
func TestMaskValues(t *testing.T) {
	env := []envVar{{"CONN", "db://app:hunter2@db", false}, {"EMPTY", "", false}, {"STAGE", "dev", false}, {"TOKEN", Masked, true}}
	got := maskValues(env, []string{"", "hunter2"})
	want := []envVar{{"CONN", Masked, true}, {"EMPTY", "", false}, {"STAGE", "dev", false}, {"TOKEN", Masked, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("maskValues mismatch (-want +got):\n%s", diff)
	}
}
