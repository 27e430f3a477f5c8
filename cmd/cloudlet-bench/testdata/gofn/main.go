// Command gofn is cloudlet-bench's Go function: the seed's handler
// written in Go. Started by cloudlet as a provided.al2023 bootstrap
// (AWS_LAMBDA_RUNTIME_API set) it serves the Runtime API through
// aws-lambda-go; "gofn pipe" is the floor harness's persistent process
// (one JSON event per line in, one JSON answer per line out); "gofn loop N"
// calls the handler N times with no I/O and prints the nanoseconds per
// call.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type response struct {
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body"`
}

// handler answers as the seed's Python handler does: the body is the JSON
// encoding of the greeting.
func handler(_ context.Context, _ map[string]any) (response, error) {
	body, err := json.Marshal("Hello form Awstut !")
	return response{StatusCode: 200, Body: string(body)}, err
}

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.Start(handler)
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "loop" {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil || n <= 0 {
			fmt.Fprintln(os.Stderr, "gofn loop N: N must be a positive number")
			os.Exit(2)
		}
		loop(n)
		return
	}
	if len(os.Args) == 2 && os.Args[1] == "pipe" {
		if err := pipe(); err != nil {
			fmt.Fprintln(os.Stderr, "gofn pipe:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Fprintln(os.Stderr, "usage: gofn pipe | gofn loop N (or run as a Lambda bootstrap)")
	os.Exit(2)
}

func loop(n int) {
	ctx := context.Background()
	event := map[string]any{"rawPath": "/"}
	start := time.Now()
	for range n {
		if _, err := handler(ctx, event); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Println(float64(time.Since(start).Nanoseconds()) / float64(n))
}

func pipe() error {
	ctx := context.Background()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 6<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		var event map[string]any
		if err := json.Unmarshal(in.Bytes(), &event); err != nil {
			return err
		}
		resp, err := handler(ctx, event)
		if err != nil {
			return err
		}
		b, err := json.Marshal(resp)
		if err != nil {
			return err
		}
		out.Write(b)
		out.WriteByte('\n')
		if err := out.Flush(); err != nil {
			return err
		}
	}
	return in.Err()
}
