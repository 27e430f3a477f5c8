package sandbox

import (
	"time"
)

// Function is the immutable configuration of one function version that an
// environment runs. A Pool never changes it; a new configuration needs a
// new Pool (AWS, too, uses new environments when a function changes,
// shared/specs/lambda.md §2.6).
type Function struct {
	Name, ARN string
	// Version is "$LATEST" or a published version number ("1", "2", …).
	Version string
	// Runtime is the Lambda runtime identifier: "python3.8".."python3.14",
	// "nodejs18.x".."nodejs22.x", "provided.al2" or "provided.al2023".
	Runtime string
	Handler string
	// CodeDir holds the unpacked code. Isolated environments see it,
	// read-only, at /var/task; in fallback mode it is itself the working
	// directory and LAMBDA_TASK_ROOT, and environments treat it as read-only.
	CodeDir string
	// LayerDirs hold unpacked layers, in order: isolated environments see
	// them merged at /opt, a later layer's files replacing an earlier one's.
	LayerDirs []string
	// MemoryMB is the configured memory; zero means 128. It bounds the
	// memory of the runtime and everything it starts (see Mode).
	MemoryMB int
	// EphemeralStorageMB is the size of /tmp; zero means 512. It caps the
	// size of each file the function writes (RLIMIT_FSIZE; a write past it
	// fails with EFBIG); the total is not capped.
	EphemeralStorageMB int
	// Timeout bounds each invocation; zero means 3 s.
	Timeout time.Duration
	// Env is the function's Environment.Variables. Reserved names are
	// ignored (§3.2).
	Env map[string]string
	// Credentials are AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
	// AWS_SESSION_TOKEN for the execution role; nil means none.
	Credentials map[string]string
	Region      string
	// LogGroup is the group log lines go to; empty means /aws/lambda/<Name>.
	// Streams in any other group are named YYYY/MM/DD/<Name>[<Version>][<id>].
	LogGroup string
	// ExtraEnv is set by the platform (AWS_ENDPOINT_URL, …). It overrides
	// Env and is overridden by the reserved variables.
	ExtraEnv map[string]string
}

// Defaults AWS applies when a function leaves them unset.
const (
	DefaultMemoryMB           = 128
	DefaultTimeout            = 3 * time.Second
	DefaultEphemeralStorageMB = 512
)

func (f Function) memoryMB() int {
	if f.MemoryMB <= 0 {
		return DefaultMemoryMB
	}
	return f.MemoryMB
}

func (f Function) ephemeralStorageMB() int {
	if f.EphemeralStorageMB <= 0 {
		return DefaultEphemeralStorageMB
	}
	return f.EphemeralStorageMB
}

func (f Function) timeout() time.Duration {
	if f.Timeout <= 0 {
		return DefaultTimeout
	}
	return f.Timeout
}

func (f Function) logGroup() string {
	if f.LogGroup == "" {
		return "/aws/lambda/" + f.Name
	}
	return f.LogGroup
}

func (f Function) version() string {
	if f.Version == "" {
		return "$LATEST"
	}
	return f.Version
}

// Request is one synchronous invocation.
type Request struct {
	// RequestID is the invocation's UUID; the caller makes it (it is also
	// the x-amzn-RequestId the Invoke API answers with).
	RequestID string
	// Payload is the JSON event; empty means "{}".
	Payload []byte
	// InvokedARN is the ARN the caller used, qualified if it gave a
	// qualifier; empty means the function's ARN.
	InvokedARN string
	// ClientContext is the decoded client context JSON; nil means none.
	ClientContext []byte
	TraceID       string
	// WantLogTail asks for the last 4 KB of this invocation's log text
	// (Invoke with LogType=Tail).
	WantLogTail bool
}

// Response is the outcome of one invocation. A function error is a
// Response with FunctionError set, not a Go error: Go errors are the
// platform's failures (and a cancelled caller).
type Response struct {
	Payload     []byte
	ContentType string
	// FunctionError is "" or "Unhandled" (the X-Amz-Function-Error header).
	FunctionError string
	// LogTail is the last 4096 bytes of this invocation's log lines when the
	// request asked for it (not base64-encoded).
	LogTail []byte
	// Duration runs from handing the event to the runtime until it asked for
	// the next one (§6.2), capped at the timeout.
	Duration time.Duration
	// BilledMs is the billed duration in ms, Init included on cold starts
	// (§6.2, since 2025-08).
	BilledMs    int64
	MemoryMB    int
	MaxMemoryMB int
	// InitDuration is the Init phase's length on a cold start; zero when warm.
	InitDuration time.Duration
	Cold         bool
}

// LogSink receives function log lines. The Lambda service decides whether
// the execution role may write logs and passes a sink (or nil) accordingly.
type LogSink interface {
	// Append delivers log lines of one environment's stream, oldest first.
	// It must not block for long (the caller batches); events carry their
	// own timestamps. The sink may keep events but not modify them.
	Append(group, stream string, events []LogEvent)
}

// LogEvent is one log line. Message keeps the line's trailing newline, as
// CloudWatch does for Lambda's lines; a line cut short (no newline before
// its invocation ended, or longer than 256 KiB) has none.
type LogEvent struct {
	Time    time.Time
	Message string
}

// Stats counts a pool's environments.
type Stats struct {
	// Environments is the number alive now: Idle + Busy.
	Environments, Idle, Busy int
	// Created counts environments ever created; Inits counts runtime
	// process starts (cold starts, including re-inits after a reset).
	Created, Inits int64
	// Reaped counts environments shut down for being idle too long.
	Reaped int64
}
