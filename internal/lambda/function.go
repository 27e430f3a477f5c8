package lambda

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// FunctionConfiguration is a function's configuration, with the AWS wire
// field names (spec lambda §8.4).
type FunctionConfiguration struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime,omitempty"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler,omitempty"`
	CodeSize         int64             `json:"CodeSize"`
	CodeSha256       string            `json:"CodeSha256"`
	Description      string            `json:"Description"`
	Timeout          int               `json:"Timeout"`
	MemorySize       int               `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	Version          string            `json:"Version"`
	Environment      *Environment      `json:"Environment,omitempty"`
	TracingConfig    *TracingConfig    `json:"TracingConfig,omitempty"`
	RevisionID       string            `json:"RevisionId"`
	State            string            `json:"State"`
	LastUpdateStatus string            `json:"LastUpdateStatus,omitempty"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage,omitempty"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig,omitempty"`
	Layers           []Layer           `json:"Layers,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
}

// DeadLetterConfig names the queue or topic that receives an Event
// invocation's event once its retries are exhausted.
type DeadLetterConfig struct {
	TargetArn string `json:"TargetArn"`
}

// Environment holds a function's variables.
type Environment struct {
	Variables map[string]string `json:"Variables"`
}

// TracingConfig is the X-Ray mode (recorded only).
type TracingConfig struct {
	Mode string `json:"Mode"`
}

// EphemeralStorage is /tmp's size in MB.
type EphemeralStorage struct {
	Size int `json:"Size"`
}

// LoggingConfig says where a function's logs go.
type LoggingConfig struct {
	LogFormat string `json:"LogFormat"`
	LogGroup  string `json:"LogGroup"`
}

// Layer is a layer version attached to a function.
type Layer struct {
	Arn      string `json:"Arn"`
	CodeSize int64  `json:"CodeSize"`
}

// Code is where a function's code comes from: exactly one of the forms.
type Code struct {
	// ZipFile is a zip archive's bytes (the Lambda API's ZipFile).
	ZipFile []byte
	// InlineSource is CloudFormation's Code.ZipFile: source text that
	// becomes index.py / index.js (spec cloudformation §6.1).
	InlineSource *string
	// S3Bucket/S3Key name a zip archive in cloudlet's object store.
	S3Bucket, S3Key, S3ObjectVersion string
	// LocalDir is a folder on this machine used in place (cloudlet up):
	// edits to it reach the next environment that starts, and versions
	// published from it keep pointing at it rather than at a copy.
	LocalDir string
}

// CreateFunctionInput is a CreateFunction request. Zero numbers mean
// AWS's defaults.
type CreateFunctionInput struct {
	FunctionName, Runtime, Role, Handler, Description string
	Code                                              Code
	Timeout, MemorySize, EphemeralStorage             int
	Environment                                       map[string]string
	Architectures                                     []string
	PackageType                                       string
	Tags                                              map[string]string
	TracingMode                                       string
	LogGroup                                          string
	ReservedConcurrency                               *int
	// Layers are layer version ARNs, at most 5, in the order their
	// contents overlay one another.
	Layers []string
	// DeadLetterTargetArn is DeadLetterConfig.TargetArn (an SQS queue or
	// SNS topic ARN); "" means none.
	DeadLetterTargetArn string
	// Publish also publishes version 1 (CreateFunction) or the next
	// version (UpdateFunctionCode).
	Publish bool
}

// runtimes lists the runtimes cloudlet accepts (spec lambda §8.4's enum,
// restricted to the ones it can run).
var runtimes = []string{
	"python3.8", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14",
	"nodejs18.x", "nodejs20.x", "nodejs22.x",
	"provided.al2", "provided.al2023",
}

// retired runtimes AWS refuses by name.
var retired = []string{"go1.x", "provided", "java8", "python2.7", "python3.6", "python3.7", "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "dotnetcore2.1", "ruby2.5"}

var (
	nameRE    = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
	roleRE    = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	handlerRE = regexp.MustCompile(`^[^\s]{1,128}$`)
	dlqRE     = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*$`)
)

// validate checks a CreateFunction request and fills AWS's defaults.
func (in *CreateFunctionInput) validate() error {
	if !nameRE.MatchString(in.FunctionName) {
		return validation("functionName", in.FunctionName, "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?")
	}
	if in.PackageType == "" {
		in.PackageType = "Zip"
	}
	if in.PackageType != "Zip" {
		return invalid("PackageType %s is not supported by cloudlet: only Zip functions run locally", in.PackageType)
	}
	if slices.Contains(retired, in.Runtime) {
		return invalid("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", in.Runtime)
	}
	if !slices.Contains(runtimes, in.Runtime) {
		return invalid("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s] or be a valid ARN", in.Runtime, strings.Join(runtimes, ", "))
	}
	if in.Handler == "" || !handlerRE.MatchString(in.Handler) {
		return validation("handler", in.Handler, "Member must satisfy regular expression pattern: [^\\s]+")
	}
	if !roleRE.MatchString(in.Role) {
		return validation("role", in.Role, "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
	}
	if in.Timeout == 0 {
		in.Timeout = 3
	}
	if in.Timeout < 1 || in.Timeout > 900 {
		return validation("timeout", fmt.Sprint(in.Timeout), "Member must have value less than or equal to 900")
	}
	if in.MemorySize == 0 {
		in.MemorySize = 128
	}
	if in.MemorySize < 128 || in.MemorySize > 10240 {
		return validation("memorySize", fmt.Sprint(in.MemorySize), "Member must have value greater than or equal to 128")
	}
	if in.EphemeralStorage == 0 {
		in.EphemeralStorage = 512
	}
	if len(in.Architectures) == 0 {
		in.Architectures = []string{"x86_64"}
	}
	if len(in.Architectures) != 1 || (in.Architectures[0] != "x86_64" && in.Architectures[0] != "arm64") {
		return validation("architectures", strings.Join(in.Architectures, ","), "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")
	}
	for k := range in.Environment {
		if reservedVariable(k) {
			return invalid("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", k)
		}
	}
	if in.ReservedConcurrency != nil && *in.ReservedConcurrency < 0 {
		return validation("reservedConcurrentExecutions", fmt.Sprint(*in.ReservedConcurrency), "Member must have value greater than or equal to 0")
	}
	if in.DeadLetterTargetArn != "" && !dlqRE.MatchString(in.DeadLetterTargetArn) {
		return validation("deadLetterConfig.targetArn", in.DeadLetterTargetArn, "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()")
	}
	return nil
}

// reservedVariable reports keys a function may not set (spec lambda §3.2).
func reservedVariable(k string) bool {
	switch k {
	case "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
		"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
		"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
		"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR":
		return true
	}
	return false
}

// lastModified formats a time as Lambda does: 2024-01-01T00:00:00.000+0000.
func lastModified(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000-0700")
}
