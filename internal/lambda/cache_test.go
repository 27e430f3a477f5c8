package lambda_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Every write reaches the next invocation: the cached record is dropped.
func TestRecordCacheInvalidatedByUpdates(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	src := "import os\ndef handler(event, context):\n    return CODE + ' ' + os.environ.get('COLOR', '-') + ' ' + str(context.memory_limit_in_mb)\n"
	in := pyFunction(t, "fn", "CODE = 'one'\n"+src)
	create(t, s, in)
	steps := []struct {
		name   string
		change func() error
		want   string
	}{
		{"created", func() error { return nil }, `"one - 128"`},
		{"code", func() error {
			_, err := s.UpdateFunctionCode(ctx, lambda.UpdateFunctionCodeInput{FunctionName: "fn",
				Code: lambda.Code{ZipFile: zipOf(t, map[string]string{"app.py": "CODE = 'two'\n" + src})}})
			return err
		}, `"two - 128"`},
		{"environment", func() error {
			_, err := s.UpdateFunctionConfiguration(ctx, lambda.UpdateFunctionConfigurationInput{FunctionName: "fn",
				Environment: &map[string]string{"COLOR": "blue"}})
			return err
		}, `"two blue 128"`},
		{"memory", func() error {
			_, err := s.UpdateFunctionConfiguration(ctx, lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", MemorySize: ptr(256)})
			return err
		}, `"two blue 256"`},
		{"cloudformation-update", func() error {
			in.Code = lambda.Code{ZipFile: zipOf(t, map[string]string{"app.py": "CODE = 'three'\n" + src})}
			in.Environment = map[string]string{"COLOR": "red"}
			_, err := s.UpdateFunction(ctx, in)
			return err
		}, `"three red 128"`},
	}
	for _, st := range steps {
		if err := st.change(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := string(invoke(t, s, "fn", `{}`).Payload); got != st.want {
			t.Errorf("after %s: Invoke(fn) = %s, want %s", st.name, got, st.want)
		}
		cfg, err := s.GetFunctionConfiguration(ctx, "fn", "")
		if err != nil {
			t.Fatal(err)
		}
		if st.name == "memory" && cfg.MemorySize != 256 {
			t.Errorf("after %s: GetFunction(fn).MemorySize = %d", st.name, cfg.MemorySize)
		}
	}
	if err := s.DeleteFunction(ctx, "fn"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(ctx, lambda.InvokeInput{FunctionName: "fn"}); err == nil || err.Error() != "ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST" {
		t.Errorf("Invoke(fn) after DeleteFunction = %v", err)
	}
	if _, err := s.UpdateFunctionConfiguration(ctx, lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", RevisionID: "x"}); err == nil || err.Error() != "ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn" {
		t.Errorf("UpdateFunctionConfiguration(fn) after DeleteFunction = %v", err)
	}
}

// A warm invocation reads no store: it still works with the store closed.
func TestWarmInvokeReadsNoStore(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := lambda.New(lambda.Config{DB: db, DataDir: dir, Region: testRegion, AccountID: testAcct, Runtimes: runtimes})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	create(t, s, pyFunction(t, "fn", "def handler(event, context):\n    return event\n"))
	invoke(t, s, "fn", `1`)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if out := invoke(t, s, "fn", `2`); string(out.Payload) != "2" {
		t.Errorf("Invoke(fn) with the store closed = %s, want 2", out.Payload)
	}
}

func TestRevisionIDGuards(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	cfg := create(t, s, inline("fn"))
	_, err := s.UpdateFunctionConfiguration(ctx, lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", Timeout: ptr(9), RevisionID: "stale"})
	if err == nil || awsError(t, err).HTTPStatus() != 412 {
		t.Errorf("UpdateFunctionConfiguration with a stale revision = %v, want 412", err)
	}
	got, err := s.UpdateFunctionConfiguration(ctx, lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", Timeout: ptr(9), RevisionID: cfg.RevisionID})
	if err != nil || got.Timeout != 9 || got.RevisionID == cfg.RevisionID {
		t.Errorf("UpdateFunctionConfiguration with the current revision = %+v, %v", got, err)
	}
	for _, tt := range []struct {
		name string
		in   lambda.UpdateFunctionConfigurationInput
		want string
	}{
		{"timeout-zero", lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", Timeout: ptr(0)}, "ValidationException: 1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"timeout-high", lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", Timeout: ptr(901)}, "ValidationException: 1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"reserved-variable", lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", Environment: &map[string]string{"AWS_REGION": "x"}}, "InvalidParameterValueException: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.UpdateFunctionConfiguration(ctx, tt.in); err == nil || err.Error() != tt.want {
				t.Errorf("UpdateFunctionConfiguration(%s) = %v, want %s", tt.name, err, tt.want)
			}
		})
	}
}

// Readers filling the cache while writes land never leave a stale record
// behind: after each write returns, the next read sees it.
func TestRecordCacheNotStaleUnderConcurrentReads(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	create(t, s, inline("fn"))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_, _ = s.GetFunctionConfiguration(ctx, "fn", "")
				}
			}
		}()
	}
	for i := range 200 {
		d := strconv.Itoa(i)
		if _, err := s.UpdateFunctionConfiguration(ctx, lambda.UpdateFunctionConfigurationInput{FunctionName: "fn", Description: &d}); err != nil {
			t.Fatal(err)
		}
		if cfg, err := s.GetFunctionConfiguration(ctx, "fn", ""); err != nil || cfg.Description != d {
			t.Fatalf("GetFunctionConfiguration(fn) after update %d = %q, %v", i, cfg.Description, err)
		}
	}
	close(stop)
	wg.Wait()
}

// AWS lets invocations of the old code finish when the code changes: the
// old environments are retired once they are over.
func TestUpdateLetsInvocationsFinish(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	create(t, s, pyFunction(t, "fn", blocker))
	release := hold(t, s, "fn", 2)
	if _, err := s.UpdateFunctionCode(ctx, lambda.UpdateFunctionCodeInput{FunctionName: "fn",
		Code: lambda.Code{ZipFile: zipOf(t, map[string]string{"app.py": "def handler(event, context):\n    return 'new'\n"})}}); err != nil {
		t.Fatal(err)
	}
	if out := invoke(t, s, "fn", `{}`); string(out.Payload) != `"new"` {
		t.Errorf("Invoke(fn) after UpdateFunctionCode = %s, want \"new\"", out.Payload)
	}
	for i, err := range release() {
		if err != nil {
			t.Errorf("invocation %d in flight during the update: %v", i, err)
		}
	}
	for _, r := range s.Invocations("fn") {
		if r.Status != lambda.StatusSuccess {
			t.Errorf("invocation %+v, want every one a success", r)
		}
	}
	waitFor(t, "the old environments to be retired", func() bool {
		st, _ := s.Environments("fn")
		return st.Environments == 1
	})
}
