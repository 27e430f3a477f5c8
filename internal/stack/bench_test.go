package stack_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// BenchmarkCreate200 deploys 200 independent resources (fake providers,
// real bbolt with fsync): the brief's target is under 2 s.
func BenchmarkCreate200(b *testing.B) {
	body := manyResources(200)
	e, _ := newEngine(b, engineOpts{})
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		st, err := e.CreateStack(ctx, stack.CreateInput{StackName: fmt.Sprintf("many%d", i), TemplateBody: body})
		if err != nil {
			b.Fatal(err)
		}
		if st, err = e.Wait(ctx, st.ID); err != nil || st.Status != stack.CreateComplete {
			b.Fatalf("Wait = %v, %v", st, err)
		}
	}
}

// BenchmarkDelete200 deletes such a stack.
func BenchmarkDelete200(b *testing.B) {
	body := manyResources(200)
	e, _ := newEngine(b, engineOpts{})
	ctx := context.Background()
	for i := range b.N {
		b.StopTimer()
		st, err := e.CreateStack(ctx, stack.CreateInput{StackName: fmt.Sprintf("many%d", i), TemplateBody: body})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Wait(ctx, st.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := e.DeleteStack(ctx, st.ID); err != nil {
			b.Fatal(err)
		}
		if st, err = e.Wait(ctx, st.ID); err != nil || st.Status != stack.DeleteComplete {
			b.Fatalf("Wait = %v, %v", st, err)
		}
	}
}
