package platform_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/testkit"
)

func benchPlatform(b *testing.B) *platform.Platform {
	b.Helper()
	p, err := platform.New(platform.Config{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

// BenchmarkSeedCreate deploys the seed's parent stack (3 stacks, 9
// resources) with the real services; nothing invokes the function, so no
// Python starts. The brief's target is under 300 ms.
func BenchmarkSeedCreate(b *testing.B) {
	p := benchPlatform(b)
	dir := testkit.SeedDir(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		res, err := p.Deploy(ctx, platform.DeployInput{TemplatePath: filepath.Join(dir, "fa-005.yaml"), StackName: "fa-005"})
		if err != nil || res.Stack.Status != stack.CreateComplete {
			b.Fatalf("Deploy = %+v, %v", res, err)
		}
		b.StopTimer()
		if err := p.Stacks.DeleteStack(ctx, res.Stack.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Stacks.Wait(ctx, res.Stack.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkCreate200Parameters deploys 200 independent SSM parameters
// with the real services. The brief's target is under 2 s.
func BenchmarkCreate200Parameters(b *testing.B) {
	p := benchPlatform(b)
	var t strings.Builder
	t.WriteString("Resources:\n")
	for i := range 200 {
		fmt.Fprintf(&t, "  P%03d:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String, Value: v%d}\n", i, i)
	}
	file := filepath.Join(b.TempDir(), "many.yaml")
	if err := os.WriteFile(file, []byte(t.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		res, err := p.Deploy(ctx, platform.DeployInput{TemplatePath: file, StackName: fmt.Sprintf("many%d", i)})
		if err != nil || res.Stack.Status != stack.CreateComplete {
			b.Fatalf("Deploy = %+v, %v", res, err)
		}
	}
}
