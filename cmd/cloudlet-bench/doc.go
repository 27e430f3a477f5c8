// Command cloudlet-bench is cloudlet's benchmark suite (issue 7). One
// command, run from the repository's root,
//
//	go run ./cmd/cloudlet-bench            # full run, about 10 minutes; rewrites BENCHMARKS.md
//	go run ./cmd/cloudlet-bench -short     # about 30 s; proves the suite still works
//
// builds the cloudlet binary, starts it as a separate process on a free
// loopback port with a fresh data directory, deploys the stacks it needs
// through cloudlet's own CloudFormation, S3 and Lambda APIs (signed with
// SigV4, as the AWS CLI would), drives real HTTP load over loopback with
// keep-alive clients written here, and writes a Markdown report: the
// machine, then every figure as the median of its repetitions with their
// min–max, beside the target the issues set and PASS or FAIL.
//
// # What is measured against what
//
// The floor (section 1) is the same handler behind the simplest harness
// there is — a minimal Go HTTP server handing each request to one
// persistent interpreter over a pipe — and the handler called in a loop
// with no I/O at all. Every HTTP figure of cloudlet is shown as a ratio to
// that floor. The gateway's own cost is measured apart, with the function
// replaced by a stub that answers at once, and so is the route table.
// Servers under load always run in a process of their own (cloudlet, the
// floor harness, the stub gateway: the last two are this binary started
// again in a server role), so that the clients' work is never counted as
// the server's.
//
// # Why a command and not go test -bench
//
// Benchmarks are never part of the pass/fail test run: shared machines
// are too noisy for thresholds. The package's test runs the suite in
// -short mode and checks that the report has every row, never the
// figures. The FAIL analysis printed under the figures is kept in
// analysis.md beside this file, one section per figure, and is written
// by whoever profiled the FAIL.
package main
