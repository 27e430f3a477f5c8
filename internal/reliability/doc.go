// Package reliability holds cloudlet's cross-cutting reliability and
// security proofs (issue 8). It has no code of its own: its tests drive the
// real platform — in process on a loopback port, or as the real binary
// when a test must kill it or signal it — and check what a user relies on
// when cloudlet runs all day under a test suite or for a team on a shared
// host: a faulty function never takes the platform down or leaves a
// process behind, a kill -9 never loses an acknowledged stack, object or
// log line, load never leaks memory, goroutines or descriptors, functions
// and callers reach only what IAM lets them, secrets stay out of logs, and
// SIGTERM drains in-flight requests before it stops.
//
// Each guarantee and the test that proves it are listed in
// docs/reliability.md. Fuzz targets of the pure codecs live beside the
// code they fuzz; the ones here reach the AWS wire decoders through the
// real handler. `make fuzz` runs each target for a few seconds.
package reliability
