// Package bootstrap holds cloudlet's runtime clients for the managed
// runtimes: small programs, embedded in the binary, that the sandbox starts
// inside an execution environment to load the function's handler and serve
// it over the Lambda Runtime API. They are cloudlet's own code, written to
// reproduce what AWS's managed python3.x and nodejs runtimes show a function
// and its callers (shared/specs/lambda.md §4 and §5), and to start fast: a
// cold start pays for every import they make.
//
// Both can also start as a standby (package sandbox's standby processes):
// loaded before their function is known, they wait on fd 3 for the
// function's environment and working directory, take them on as a fresh
// start would have, then run Init as usual.
//
// The sources are written to disk (Install) rather than passed on the
// command line, so that stack traces name a real file that the runtimes can
// recognise and drop, as AWS's do.
package bootstrap
