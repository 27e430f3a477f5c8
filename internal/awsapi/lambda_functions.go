package awsapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// lambdaCreateBody is CreateFunction's request (spec lambda §8.4).
type lambdaCreateBody struct {
	FunctionName string
	Runtime      string
	Role         string
	Handler      string
	Description  string
	Timeout      int
	MemorySize   int
	Publish      bool
	PackageType  string
	Code         struct {
		ZipFile         []byte // base64 in JSON
		S3Bucket        string
		S3Key           string
		S3ObjectVersion string
		ImageURI        string `json:"ImageUri"`
	}
	Environment *struct {
		Variables map[string]string
	}
	Architectures    []string
	EphemeralStorage *struct{ Size int }
	TracingConfig    *struct{ Mode string }
	LoggingConfig    *struct{ LogGroup string }
	DeadLetterConfig *struct{ TargetArn string }
	Tags             map[string]string
	Layers           []string
}

func (h *Handler) lambdaCreate(c *call, _ lambdaRoute) error {
	var b lambdaCreateBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := lambda.CreateFunctionInput{FunctionName: b.FunctionName, Runtime: b.Runtime, Role: b.Role, Handler: b.Handler,
		Description: b.Description, Timeout: b.Timeout, MemorySize: b.MemorySize, Architectures: b.Architectures,
		PackageType: b.PackageType, Tags: b.Tags, Layers: b.Layers, Publish: b.Publish,
		Code: lambda.Code{ZipFile: b.Code.ZipFile, S3Bucket: b.Code.S3Bucket, S3Key: b.Code.S3Key, S3ObjectVersion: b.Code.S3ObjectVersion}}
	if b.Environment != nil {
		in.Environment = b.Environment.Variables
	}
	if b.EphemeralStorage != nil {
		in.EphemeralStorage = b.EphemeralStorage.Size
	}
	if b.TracingConfig != nil {
		in.TracingMode = b.TracingConfig.Mode
	}
	if b.LoggingConfig != nil {
		in.LogGroup = b.LoggingConfig.LogGroup
	}
	if b.DeadLetterConfig != nil {
		in.DeadLetterTargetArn = b.DeadLetterConfig.TargetArn
	}
	fn, err := h.cfg.Lambda.CreateFunction(c.ctx(), in)
	return reply(c, http.StatusCreated, fn, err)
}

func (h *Handler) lambdaList(c *call, _ lambdaRoute) error {
	q := c.r.URL.Query()
	n, err := maxItems(c)
	if err != nil {
		return err
	}
	out, err := h.cfg.Lambda.ListFunctions(c.ctx(), lambda.ListFunctionsInput{Marker: q.Get("Marker"), MaxItems: n, FunctionVersion: q.Get("FunctionVersion")})
	if err != nil {
		return err
	}
	if out.Functions == nil {
		out.Functions = []lambda.FunctionConfiguration{}
	}
	return reply(c, http.StatusOK, out, nil)
}

func (h *Handler) lambdaGet(c *call, rt lambdaRoute) error {
	fn, err := h.cfg.Lambda.GetFunction(c.ctx(), rt.function, c.r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	fn.Code.Location = absoluteURL(c, fn.Code.Location)
	return reply(c, http.StatusOK, fn, nil)
}

func (h *Handler) lambdaGetConfiguration(c *call, rt lambdaRoute) error {
	fn, err := h.cfg.Lambda.GetFunctionConfiguration(c.ctx(), rt.function, c.r.URL.Query().Get("Qualifier"))
	return reply(c, http.StatusOK, fn, err)
}

// lambdaDelete deletes a function, or one version of it when a Qualifier
// is given (the service takes the qualified name).
func (h *Handler) lambdaDelete(c *call, rt lambdaRoute) error {
	name, err := qualifiedName(rt.function, c.r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return reply(c, http.StatusNoContent, nil, h.cfg.Lambda.DeleteFunction(c.ctx(), name))
}

// qualifiedName appends a Qualifier parameter to a function name, unless
// the name carries that qualifier already; a different one is AWS's
// mismatch error (spec lambda §8.1).
func qualifiedName(name, qualifier string) (string, error) {
	if qualifier == "" {
		return name, nil
	}
	rest := name
	if i := strings.LastIndex(name, "function:"); i >= 0 {
		rest = name[i+len("function:"):]
	}
	if j := strings.IndexByte(rest, ':'); j >= 0 {
		if rest[j+1:] != qualifier {
			return "", &awserr.Error{Code: awserr.CodeInvalidParameterValue, Status: http.StatusBadRequest, Fields: map[string]string{"Type": "User"},
				Message: "The derived qualifier from the function name does not match the specified qualifier."}
		}
		return name, nil
	}
	return name + ":" + qualifier, nil
}

// lambdaConfigBody is UpdateFunctionConfiguration's request: members the
// client leaves out stay as they are.
type lambdaConfigBody struct {
	Role, Handler, Description, Runtime *string
	Timeout, MemorySize                 *int
	Environment                         *struct{ Variables map[string]string }
	TracingConfig                       *struct{ Mode string }
	LoggingConfig                       *struct{ LogGroup *string }
	EphemeralStorage                    *struct{ Size int }
	DeadLetterConfig                    *struct{ TargetArn string }
	Layers                              *[]string
	RevisionID                          string `json:"RevisionId"`
}

func (h *Handler) lambdaUpdateConfiguration(c *call, rt lambdaRoute) error {
	var b lambdaConfigBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := lambda.UpdateFunctionConfigurationInput{FunctionName: rt.function, Role: b.Role, Handler: b.Handler,
		Description: b.Description, Runtime: b.Runtime, Timeout: b.Timeout, MemorySize: b.MemorySize,
		Layers: b.Layers, RevisionID: b.RevisionID}
	if b.Environment != nil {
		vars := b.Environment.Variables
		if vars == nil {
			vars = map[string]string{}
		}
		in.Environment = &vars
	}
	if b.TracingConfig != nil {
		in.TracingMode = &b.TracingConfig.Mode
	}
	if b.LoggingConfig != nil {
		in.LogGroup = b.LoggingConfig.LogGroup
	}
	if b.EphemeralStorage != nil {
		in.EphemeralStorage = &b.EphemeralStorage.Size
	}
	if b.DeadLetterConfig != nil {
		in.DeadLetterTargetArn = &b.DeadLetterConfig.TargetArn
	}
	fn, err := h.cfg.Lambda.UpdateFunctionConfiguration(c.ctx(), in)
	return reply(c, http.StatusOK, fn, err)
}

// lambdaUpdateCode replaces a function's code, keeping its configuration;
// with Publish it also publishes a version and answers with it.
func (h *Handler) lambdaUpdateCode(c *call, rt lambdaRoute) error {
	var b struct {
		ZipFile         []byte
		S3Bucket, S3Key string
		S3ObjectVersion string
		Publish         bool
		DryRun          bool
		Architectures   []string
		RevisionID      string `json:"RevisionId"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.DryRun {
		return notImplemented(c, "UpdateFunctionCode with DryRun")
	}
	in := lambda.UpdateFunctionCodeInput{FunctionName: rt.function, Architectures: b.Architectures, Publish: b.Publish,
		RevisionID: b.RevisionID,
		Code:       lambda.Code{ZipFile: b.ZipFile, S3Bucket: b.S3Bucket, S3Key: b.S3Key, S3ObjectVersion: b.S3ObjectVersion}}
	fn, err := h.cfg.Lambda.UpdateFunctionCode(c.ctx(), in)
	return reply(c, http.StatusOK, fn, err)
}

// lambdaInvoke runs a function ($LATEST, or the version or alias the
// Qualifier or the name names) and answers as spec lambda §8.2 shows.
func (h *Handler) lambdaInvoke(c *call, rt lambdaRoute) error {
	in := lambda.InvokeInput{FunctionName: rt.function, Qualifier: c.r.URL.Query().Get("Qualifier"),
		InvocationType: c.r.Header.Get("X-Amz-Invocation-Type"), LogType: c.r.Header.Get("X-Amz-Log-Type"),
		Payload: c.body, ClientContext: c.r.Header.Get("X-Amz-Client-Context")}
	if !c.root {
		in.Caller.Principal = lambda.Principal{Kind: "Role", ARN: c.principal.ARN}
	}
	out, err := h.cfg.Lambda.Invoke(c.ctx(), in)
	if err != nil {
		return err
	}
	hd := c.w.Header()
	if out.RequestID != "" {
		hd.Set("x-amzn-RequestId", out.RequestID)
	}
	if out.StatusCode == http.StatusOK {
		hd.Set("X-Amz-Executed-Version", out.ExecutedVersion)
		if out.FunctionError != "" {
			hd.Set("X-Amz-Function-Error", out.FunctionError)
		}
		if out.LogResult != "" {
			hd.Set("X-Amz-Log-Result", out.LogResult)
		}
		ct := out.ContentType
		if ct == "" {
			ct = "application/json"
		}
		hd.Set("Content-Type", ct)
		hd.Set("Content-Length", strconv.Itoa(len(out.Payload)))
	}
	c.w.WriteHeader(out.StatusCode)
	if out.StatusCode == http.StatusOK {
		_, _ = c.w.Write(out.Payload)
	}
	return nil
}

func (h *Handler) lambdaAddPermission(c *call, rt lambdaRoute) error {
	var b struct {
		StatementID         string `json:"StatementId"`
		Action              string
		Principal           string
		SourceArn           string
		SourceAccount       string
		PrincipalOrgID      string
		EventSourceToken    string
		FunctionURLAuthType string `json:"FunctionUrlAuthType"`
		RevisionID          string `json:"RevisionId"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	st, err := h.cfg.Lambda.AddPermission(c.ctx(), rt.function, lambda.PermissionInput{StatementID: b.StatementID, Action: b.Action,
		Principal: b.Principal, SourceArn: b.SourceArn, SourceAccount: b.SourceAccount, PrincipalOrgID: b.PrincipalOrgID,
		FunctionURLAuthType: b.FunctionURLAuthType, Qualifier: c.r.URL.Query().Get("Qualifier")})
	return reply(c, http.StatusCreated, map[string]string{"Statement": st}, err)
}

func (h *Handler) lambdaGetPolicy(c *call, rt lambdaRoute) error {
	pol, err := h.cfg.Lambda.GetPolicy(c.ctx(), rt.function, c.r.URL.Query().Get("Qualifier"))
	return reply(c, http.StatusOK, pol, err)
}

func (h *Handler) lambdaRemovePermission(c *call, rt lambdaRoute) error {
	name, err := qualifiedName(rt.function, c.r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return reply(c, http.StatusNoContent, nil, h.cfg.Lambda.RemovePermission(c.ctx(), name, rt.id))
}
