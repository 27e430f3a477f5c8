package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
)

// internalInvoke measures the Lambda issue's figure: Service.Invoke on a
// warm environment, sequential, with no HTTP in the way. It starts a
// platform in this process (the only place Invoke can be called from),
// deploys the seed and invokes its function: warm unmeasured calls first,
// then reps runs of n calls; it returns each run's sorted durations.
func internalInvoke(ctx context.Context, seedDir, dataDir string, warm, n, reps int) ([][]time.Duration, error) {
	p, err := platform.New(platform.Config{DataDir: dataDir})
	if err != nil {
		return nil, err
	}
	if err := p.Start(ctx); err != nil {
		return nil, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = p.Shutdown(sctx)
	}()
	res, err := p.Deploy(ctx, platform.DeployInput{TemplatePath: filepath.Join(seedDir, "fa-005.yaml"), StackName: "fa-005"})
	if err != nil {
		return nil, fmt.Errorf("deploy the seed in-process: %w", err)
	}
	if res.Stack.Status != "CREATE_COMPLETE" {
		return nil, fmt.Errorf("deploy the seed in-process: %s (%s)", res.Stack.Status, res.Stack.StatusReason)
	}
	in := lambda.InvokeInput{FunctionName: "fa-005-function", Payload: []byte(`{"rawPath":"/"}`)}
	call := func() (time.Duration, error) {
		start := time.Now()
		out, err := p.Lambda.Invoke(ctx, in)
		d := time.Since(start)
		if err != nil {
			return 0, err
		}
		if out.FunctionError != "" {
			return 0, fmt.Errorf("function error %s: %s", out.FunctionError, out.Payload)
		}
		return d, nil
	}
	for range warm {
		if _, err := call(); err != nil {
			return nil, err
		}
	}
	var runs [][]time.Duration
	for range reps {
		ds := make([]time.Duration, 0, n)
		for range n {
			d, err := call()
			if err != nil {
				return nil, err
			}
			ds = append(ds, d)
		}
		slices.Sort(ds)
		runs = append(runs, ds)
	}
	return runs, nil
}
