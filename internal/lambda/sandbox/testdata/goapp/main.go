// Command goapp is a provided.al2023 function for the sandbox tests: a Go
// program using aws-lambda-go, started as the function's bootstrap.
package main

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

var count int

type event struct {
	How string `json:"how"`
}

func handle(ctx context.Context, ev event) (any, error) {
	count++
	switch ev.How {
	case "error":
		return nil, errors.New("boom")
	case "panic":
		panic("oh no")
	case "env":
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		return env, nil
	}
	lc, _ := lambdacontext.FromContext(ctx)
	return map[string]any{"n": count, "id": lc.AwsRequestID, "fn": lambdacontext.FunctionName}, nil
}

func main() {
	lambda.Start(handle)
}
