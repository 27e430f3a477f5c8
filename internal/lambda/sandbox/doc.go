// Package sandbox runs Lambda functions in execution environments that are
// plain local processes: no containers, one process group per environment,
// each with its own Runtime API on its own loopback port. The Lambda
// service keeps one Pool per function version and calls Pool.Invoke; the
// pool reuses a warm environment or starts a new one at once, reproducing
// what AWS shows callers and CloudWatch (shared/specs/lambda.md §1–§7):
// payloads, error types and messages, START/END/REPORT lines, timeouts and
// crashes.
//
// # Environments
//
// An environment has a stable identity — a 32-hex id, its log stream
// YYYY/MM/DD/[version]id, a TMPDIR under the pool's scratch directory —
// and, while initialised, one runtime process. Its environment variables
// are built from scratch (§3): nothing of the host's environment leaks in.
// A timeout, a crash or a cancelled caller resets the environment: the
// process group is killed and the next invocation runs Init again, while
// TMPDIR is kept, as AWS keeps /tmp (§2.5). Idle environments are reaped
// after PoolConfig.IdleTimeout.
//
// # States
//
// The Runtime API follows an explicit state machine (§1.6) in which every
// transition not listed is refused with 403 InvalidStateTransition:
//
//	Started ──/next──▶ Ready ──invoke──▶ Running ──/response──▶ ResponseSent ──/next──▶ Ready …
//	Started ──/init/error──▶ InitError          Running ──/error──▶ InvocationErrorResponse ──/next──▶ Ready …
//
// # Flow of one invocation
//
// Invoke takes an idle environment (or creates one; cold). A cold one starts
// its runtime and waits for the first /next (Init, at most 10 s; then Init
// is retried within the function's timeout). The event goes to the parked
// /next; the caller's result is the runtime's /response or /error body, and
// the invocation ends when the runtime asks for its next event (§2.3).
// Output lines of the process (stdout and stderr share one pipe, so their
// order holds) and the platform's lines go to the LogSink in batches.
//
// The runtime clients for the managed runtimes live in package bootstrap;
// provided.* runtimes run the function's own bootstrap executable.
package sandbox
