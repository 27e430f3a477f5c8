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
// YYYY/MM/DD/[version]id, a scratch directory under the pool's (its /tmp
// when isolated, its TMPDIR otherwise) — and, while initialised, one
// runtime process. Its environment variables are built from scratch (§3):
// nothing of the host's environment leaks in. A timeout, a crash or a
// cancelled caller resets the environment: the process group is killed
// and the next invocation runs Init again, while the scratch directory is
// kept, as AWS keeps /tmp (§2.5). Idle environments are reaped after
// PoolConfig.IdleTimeout.
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
// its runtime (or takes a standby over, below) and waits for the first /next (Init, at most 10 s; then Init
// is retried within the function's timeout). The event goes to the parked
// /next; the caller's result is the runtime's /response or /error body, and
// the invocation ends when the runtime asks for its next event (§2.3).
// Output lines of the process (stdout and stderr share one pipe, so their
// order holds) and the platform's lines go to the LogSink in batches.
//
// Output beyond PoolConfig.MaxOutputBytes (10 MiB) in one invocation, or
// one Init, is read and dropped, and one platform line before END says
// how many bytes: a function printing 100 MB neither blocks on its pipe
// nor fills the platform's memory.
//
// # Isolation
//
// NewIsolation probes once what the OS permits (it needs root) and every
// pool shares the answer (PoolConfig.Isolation; cloudlet's --sandbox
// flag). Both modes apply AWS's limits (§2.7, §7.2); they differ in how:
//
//	                    isolated                               fallback
//	code                /var/task, read-only                   CodeDir itself (not enforced)
//	layers              /opt, merged (overlayfs), read-only    LayerDirs themselves
//	/tmp                own, writable; rest of / read-only     TMPDIR: own directory
//	MemorySize          memory cgroup: the kernel OOM-kills    watchdog samples RSS, kills the group
//	1,024 tasks         pids cgroup: fork fails (EAGAIN)       watchdog kills the group
//	other processes     invisible (PID namespace)              visible
//	stragglers          die with the namespace                 killed by the environment marker
//	privileges          root without capabilities              cloudlet's own
//
// Both set RLIMIT_NOFILE 1024, RLIMIT_CORE 0 and RLIMIT_FSIZE of
// EphemeralStorage (a bigger file fails with EFBIG; in fallback mode a
// runtime that does not ignore SIGXFSZ, as Python does, dies of it
// instead). An out-of-memory kill
// reaches the caller as AWS's Runtime.ExitError "signal: killed"; REPORT
// says Runtime.OutOfMemory with Max Memory Used at Memory Size.
//
// An isolated runtime process starts as a copy of the cloudlet binary
// under a special argv[0] (helper.go), which sets up the environment
// before running the runtime: Go cannot run code between fork and exec.
// The helper stays as the init of the environment's PID namespace, so the
// runtime is not pid 1 (an init ignores even its own SIGKILL) and orphans
// are reaped; its exit takes the namespace, and everything in it, along.
// In fallback mode the runtime starts directly and gets its rlimits with
// prlimit(2): a helper would add a Go process start to every cold start.
// /tmp is the environment's directory on disk, bind-mounted, not a tmpfs:
// it survives resets as AWS's /tmp does (§2.5), and its pages do not count
// against MemorySize, as on AWS. The rest of the host filesystem stays
// visible read-only, so host interpreters and their libraries need no
// copying; /var, /opt, /tmp and /dev are AWS's, not the host's.
//
// # Standby processes
//
// Most of a managed runtime's cold start goes to starting the interpreter
// and loading the runtime client (some 33 ms for Python or Node.js on a
// shared 2-core machine; isolated, 15 ms more), none of it the
// function's. So an Isolation keeps, per runtime in use, one standby: a
// runtime process started ahead of need, confined as that runtime's
// environments are (process group, rlimits; isolated: namespaces, a
// cgroup, and the part of the view every function shares: the host
// read-only, /proc, /dev, /var/runtime), its runtime client loaded (Node.js:
// its HTTP client exercised once) and waiting on a control socket. A cold
// start takes it over (the handoff): cloudlet sets the function's memory
// limit and RLIMIT_FSIZE; isolated, the helper mounts the function's parts
// (/var/task, /opt, /tmp, the hidden directories); cloudlet rewrites the
// block of environment strings the process started with, so that
// /proc/<pid>/environ shows the function's, in the runtime and in the
// children it forks (the straggler sweep and the Lambda service's orphan
// killer rely on it); then the runtime client takes on the function's
// variables, working directory, time zone and search paths (PYTHONPATH,
// NODE_PATH) as a fresh start would have, and runs Init from the
// handler's import on. INIT_START and Init Duration then cover the handoff
// and the import: a constant Python handler's cold start takes some 5 ms,
// a Node.js one's 7 (BenchmarkColdStart).
//
// Why not the alternatives: a fork of a warmed interpreter (a zygote)
// cannot give the child namespaces or a cgroup of its own without a
// privileged go-between, gives every child the same hash seed and memory
// layout, and Node.js cannot fork at all; pre-started environments per
// function cost processes for functions never invoked. A standby is an
// ordinary runtime start done early, knows nothing of any function until
// its handoff, and serves one environment.
//
// A function gets no standby, and its runtime starts afresh, when it
// changes what the runtime reads once, as it starts, and a standby cannot
// know yet: locale variables (LANG, LC_*), LD_*, MALLOC_*,
// GLIBC_TUNABLES; PYTHON* but PYTHONPATH, and HOME, for Python; NODE_*
// but NODE_PATH, UV_*, OPENSSL_*, SSL_CERT_* for Node.js; or shared
// libraries where the code's or layers' LD_LIBRARY_PATH entries point (a
// lib folder, lib*.so* files), which the dynamic loader looks at once.
// provided.* runtimes run their own bootstrap and get none; neither do
// pools without an Isolation.
//
// The first pool of a runtime starts its standby; each handoff starts the
// next once the Init it served is over, so that the two do not compete
// for the CPU; a cold start that finds the standby still starting waits
// for it rather than start a second runtime. Standbys are no environments
// (Stats, logs), and the last pool of their runtime takes them along, so
// a function never invoked (no pool) costs nothing.
// IsolationConfig.DisableStandby turns them off.
//
// The runtime clients for the managed runtimes live in package bootstrap;
// provided.* runtimes run the function's own bootstrap executable.
package sandbox
