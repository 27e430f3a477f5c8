package sandbox

import (
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// reservedEnv are the names a function's configuration cannot set
// (shared/specs/lambda.md §3.2). User values for them are dropped, not
// merely overridden: some (AWS_EXECUTION_ENV on provided.*, the credentials
// when there is no role) are absent on purpose.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// IsReservedEnv reports whether a function's configuration may not set the
// variable name (shared/specs/lambda.md §3.2).
func IsReservedEnv(name string) bool { return reservedEnv[name] }

// envSpec is what an environment's variables depend on beyond the Function.
type envSpec struct {
	runtimeAPI string // host:port of this process's Runtime API
	stream     string
	runtimeDir string // where the bootstrap lives (LAMBDA_RUNTIME_DIR)
	tmpDir     string // TMPDIR; empty sets none
	interpDir  string // directory of the interpreter, first on PATH; "" for provided
}

// buildEnv returns the complete environment of a runtime process, sorted.
// Nothing comes from the host's own environment. Precedence, later wins
// (after AWS's runtime API server, §3.2): defaults, the function's
// variables, the platform's ExtraEnv, credentials, reserved variables.
func buildEnv(f Function, s envSpec) []string {
	vars := map[string]string{}
	set := func(k, v string) { vars[k] = v }

	// Unreserved defaults a function may change (TZ became unreserved ~2022).
	set("TZ", ":UTC")
	set("LANG", "en_US.UTF-8")
	set("PATH", joinNonEmpty(":", append([]string{s.interpDir, "/usr/local/bin", "/usr/bin", "/bin"}, layerSub(f, "bin")...)...))
	set("LD_LIBRARY_PATH", joinNonEmpty(":", append([]string{f.CodeDir, filepath.Join(f.CodeDir, "lib")}, layerSub(f, "lib")...)...))
	set("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR")
	if s.tmpDir != "" {
		set("TMPDIR", s.tmpDir)
	}
	switch {
	case strings.HasPrefix(f.Runtime, "python"):
		set("PYTHONPATH", s.runtimeDir)
		set("LC_CTYPE", "C.UTF-8")
	case strings.HasPrefix(f.Runtime, "nodejs"):
		var nodePath []string
		for _, l := range f.LayerDirs {
			nodePath = append(nodePath, filepath.Join(l, "nodejs", "node_modules"))
		}
		nodePath = append(nodePath, s.runtimeDir, f.CodeDir)
		set("NODE_PATH", strings.Join(nodePath, ":"))
	}

	for k, v := range f.Env {
		if !reservedEnv[k] && validEnv(k, v) {
			set(k, v)
		}
	}
	for k, v := range f.ExtraEnv {
		if !reservedEnv[k] && validEnv(k, v) {
			set(k, v)
		}
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if v := f.Credentials[k]; v != "" {
			set(k, v)
		}
	}

	set("_HANDLER", f.Handler)
	if !strings.HasPrefix(f.Runtime, "provided") {
		set("AWS_EXECUTION_ENV", "AWS_Lambda_"+f.Runtime)
	}
	set("AWS_LAMBDA_LOG_GROUP_NAME", f.logGroup())
	set("AWS_LAMBDA_LOG_STREAM_NAME", s.stream)
	set("LAMBDA_TASK_ROOT", f.CodeDir)
	set("LAMBDA_RUNTIME_DIR", s.runtimeDir)
	set("AWS_REGION", f.Region)
	set("AWS_DEFAULT_REGION", f.Region)
	set("AWS_LAMBDA_FUNCTION_NAME", f.Name)
	set("AWS_LAMBDA_FUNCTION_VERSION", f.version())
	set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", strconv.Itoa(f.memoryMB()))
	set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
	set("AWS_LAMBDA_RUNTIME_API", s.runtimeAPI)

	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

func layerSub(f Function, sub string) []string {
	out := make([]string, 0, len(f.LayerDirs))
	for _, l := range f.LayerDirs {
		out = append(out, filepath.Join(l, sub))
	}
	return out
}

func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// validEnv rejects variables a process environment cannot carry; the
// Lambda API validates names, but a NUL would make the start itself fail.
// _CLOUDLET_ names belong to the platform (standby.go).
func validEnv(k, v string) bool {
	return k != "" && !strings.ContainsAny(k, "=\x00") && !strings.ContainsRune(v, 0) && !strings.HasPrefix(k, "_CLOUDLET_")
}
