package console

import (
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/google/go-cmp/cmp"
)

func TestIsSecretName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"DB_PASSWORD", true}, {"apiKey", true}, {"GithubToken", true}, {"AWS_SECRET_ACCESS_KEY", true},
		{"STRIPE_PRIVATE", true}, {"GOOGLE_APPLICATION_CREDENTIALS", true}, {"Authorization", true},
		{"STAGE", false}, {"TABLE_NAME", false}, {"LOG_LEVEL", false}, {"REGION", false},
	}
	for _, tt := range tests {
		if got := IsSecretName(tt.name); got != tt.want {
			t.Errorf("IsSecretName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMaskEnv(t *testing.T) {
	got := maskEnv(map[string]string{"TOKEN": "t", "B": "b", "A": "a"})
	want := []envVar{{"A", "a", false}, {"B", "b", false}, {"TOKEN", Masked, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("maskEnv mismatch (-want +got):\n%s", diff)
	}
}

func TestMaskParams(t *testing.T) {
	in := []stack.Parameter{{Key: "Pw", Value: "hunter2", NoEcho: true, ResolvedValue: "x"}, {Key: "Stage", Value: "dev"}}
	got := maskParams(in)
	want := []stack.Parameter{{Key: "Pw", Value: Masked, NoEcho: true}, {Key: "Stage", Value: "dev"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("maskParams mismatch (-want +got):\n%s", diff)
	}
	if in[0].Value != "hunter2" {
		t.Errorf("maskParams changed its input")
	}
}
