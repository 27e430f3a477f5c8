package awsapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/restjson"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// lambdaRoute is a Lambda REST path split into what the adapters need.
type lambdaRoute struct {
	version  string // 2015-03-31, 2017-10-31, ...
	function string // decoded function name, partial or full ARN
	sub      string // "", configuration, code, invocations, policy, versions, aliases, concurrency
	subID    string // the statement ID of policy/{sid}, the alias name, ...
}

// parseLambdaPath reads /{version}/functions[/{name}[/{sub}[/{id}]]] from
// the raw path, so that an ARN's escaped colons decode once.
func parseLambdaPath(raw string) (lambdaRoute, bool, bool) {
	segs := strings.Split(strings.Trim(raw, "/"), "/")
	if len(segs) < 2 {
		return lambdaRoute{}, false, false
	}
	r := lambdaRoute{version: segs[0]}
	if segs[1] != "functions" {
		return r, false, false
	}
	dec := func(s string) string {
		if d, err := url.PathUnescape(s); err == nil {
			return d
		}
		return s
	}
	if len(segs) >= 3 {
		r.function = dec(segs[2])
	}
	if len(segs) >= 4 {
		r.sub = segs[3]
	}
	if len(segs) >= 5 {
		r.subID = dec(segs[4])
	}
	return r, true, len(segs) <= 5
}

func (h *Handler) serveLambda(c *call) error {
	r := c.r
	rt, isFunctions, ok := parseLambdaPath(rawPath(r))
	op := ""
	if isFunctions && ok {
		switch {
		case rt.function == "" && r.Method == http.MethodPost:
			op = "CreateFunction"
		case rt.function == "" && r.Method == http.MethodGet:
			op = "ListFunctions"
		case rt.sub == "" && r.Method == http.MethodGet:
			op = "GetFunction"
		case rt.sub == "" && r.Method == http.MethodDelete:
			op = "DeleteFunction"
		case rt.sub == "configuration" && r.Method == http.MethodGet:
			op = "GetFunctionConfiguration"
		case rt.sub == "configuration" && r.Method == http.MethodPut:
			op = "UpdateFunctionConfiguration"
		case rt.sub == "code" && r.Method == http.MethodPut:
			op = "UpdateFunctionCode"
		case rt.sub == "invocations" && r.Method == http.MethodPost:
			op = "Invoke"
		case rt.sub == "policy" && rt.subID == "" && r.Method == http.MethodPost:
			op = "AddPermission"
		case rt.sub == "policy" && rt.subID == "" && r.Method == http.MethodGet:
			op = "GetPolicy"
		case rt.sub == "policy" && rt.subID != "" && r.Method == http.MethodDelete:
			op = "RemovePermission"
		case rt.sub == "versions" && r.Method == http.MethodPost:
			op = "PublishVersion"
		case rt.sub == "versions" && r.Method == http.MethodGet:
			op = "ListVersionsByFunction"
		case rt.sub == "aliases":
			op = map[string]string{http.MethodPost: "CreateAlias", http.MethodGet: "GetAlias", http.MethodPut: "UpdateAlias", http.MethodDelete: "DeleteAlias"}[r.Method]
			if op == "GetAlias" && rt.subID == "" {
				op = "ListAliases"
			}
		case rt.sub == "concurrency":
			op = map[string]string{http.MethodPut: "PutFunctionConcurrency", http.MethodGet: "GetFunctionConcurrency", http.MethodDelete: "DeleteFunctionConcurrency"}[r.Method]
		}
	}
	if op == "" {
		if strings.Contains(r.URL.Path, "/layers") {
			op = "layers (" + r.Method + " " + r.URL.Path + ")"
		} else {
			op = r.Method + " " + r.URL.Path
		}
	}
	c.op = op
	if h.cfg.Lambda == nil {
		return serviceMissing(c, op)
	}
	fnARN := h.functionARN(rt.function)
	if op != "Invoke" { // Invoke is authorised by the Lambda service with the function's policy
		if err := h.authorize(c, "lambda:"+op, fnARN); err != nil {
			return err
		}
	}
	switch op {
	case "CreateFunction":
		return h.lambdaCreate(c)
	case "ListFunctions":
		q := c.r.URL.Query()
		maxItems, _ := strconv.Atoi(q.Get("MaxItems"))
		out, err := h.cfg.Lambda.ListFunctions(c.ctx(), lambda.ListFunctionsInput{Marker: q.Get("Marker"), MaxItems: maxItems, FunctionVersion: q.Get("FunctionVersion")})
		if err != nil {
			return err
		}
		if out.Functions == nil {
			out.Functions = []lambda.FunctionConfiguration{}
		}
		restjson.WriteJSON(c.w, http.StatusOK, out)
		return nil
	case "GetFunction":
		fn, err := h.cfg.Lambda.GetFunction(c.ctx(), rt.function, c.r.URL.Query().Get("Qualifier"))
		if err != nil {
			return err
		}
		restjson.WriteJSON(c.w, http.StatusOK, fn)
		return nil
	case "GetFunctionConfiguration":
		fn, err := h.cfg.Lambda.GetFunctionConfiguration(c.ctx(), rt.function, c.r.URL.Query().Get("Qualifier"))
		if err != nil {
			return err
		}
		restjson.WriteJSON(c.w, http.StatusOK, fn)
		return nil
	case "DeleteFunction":
		if err := h.cfg.Lambda.DeleteFunction(c.ctx(), rt.function); err != nil {
			return err
		}
		restjson.WriteJSON(c.w, http.StatusNoContent, nil)
		return nil
	case "UpdateFunctionCode":
		return h.lambdaUpdateCode(c, rt.function)
	case "Invoke":
		return h.lambdaInvoke(c, rt.function)
	case "AddPermission":
		return h.lambdaAddPermission(c, rt.function)
	case "GetPolicy":
		pol, err := h.cfg.Lambda.GetPolicy(c.ctx(), rt.function, c.r.URL.Query().Get("Qualifier"))
		if err != nil {
			return err
		}
		restjson.WriteJSON(c.w, http.StatusOK, pol)
		return nil
	case "RemovePermission":
		if err := h.cfg.Lambda.RemovePermission(c.ctx(), rt.function, rt.subID); err != nil {
			return err
		}
		restjson.WriteJSON(c.w, http.StatusNoContent, nil)
		return nil
	}
	// UpdateFunctionConfiguration needs the function's current code, which
	// the Lambda service does not hand out; versions, aliases, layers and
	// concurrency are not in the service yet.
	return notImplemented(c, op)
}

func (h *Handler) functionARN(name string) string {
	if name == "" {
		return "*"
	}
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	if i := strings.Index(name, ":function:"); i >= 0 {
		return "arn:aws:lambda:" + h.cfg.Region + ":" + name
	}
	return h.arn("lambda", "function:"+name)
}

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
	Tags             map[string]string
	Layers           []string
}

func decodeJSON(c *call, v any) error {
	if len(c.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return awserr.New("SerializationException", "Could not parse request body: %v", err)
	}
	return nil
}

func (h *Handler) lambdaCreate(c *call) error {
	var b lambdaCreateBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.Publish {
		return notImplemented(c, "CreateFunction with Publish (versions)")
	}
	if len(b.Layers) > 0 {
		return notImplemented(c, "CreateFunction with Layers")
	}
	in := lambda.CreateFunctionInput{FunctionName: b.FunctionName, Runtime: b.Runtime, Role: b.Role, Handler: b.Handler,
		Description: b.Description, Timeout: b.Timeout, MemorySize: b.MemorySize, Architectures: b.Architectures,
		PackageType: b.PackageType, Tags: b.Tags,
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
	fn, err := h.cfg.Lambda.CreateFunction(c.ctx(), in)
	if err != nil {
		return err
	}
	restjson.WriteJSON(c.w, http.StatusCreated, fn)
	return nil
}

// lambdaUpdateCode replaces a function's code, keeping its configuration.
func (h *Handler) lambdaUpdateCode(c *call, name string) error {
	var b struct {
		ZipFile         []byte
		S3Bucket, S3Key string
		S3ObjectVersion string
		Publish         bool
		Architectures   []string
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := lambda.UpdateFunctionCodeInput{FunctionName: name, Architectures: b.Architectures, Publish: b.Publish,
		Code: lambda.Code{ZipFile: b.ZipFile, S3Bucket: b.S3Bucket, S3Key: b.S3Key, S3ObjectVersion: b.S3ObjectVersion}}
	fn, err := h.cfg.Lambda.UpdateFunctionCode(c.ctx(), in)
	if err != nil {
		return err
	}
	restjson.WriteJSON(c.w, http.StatusOK, fn)
	return nil
}

func (h *Handler) lambdaInvoke(c *call, name string) error {
	in := lambda.InvokeInput{FunctionName: name, Qualifier: c.r.URL.Query().Get("Qualifier"),
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

func (h *Handler) lambdaAddPermission(c *call, name string) error {
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
	st, err := h.cfg.Lambda.AddPermission(c.ctx(), name, lambda.PermissionInput{StatementID: b.StatementID, Action: b.Action,
		Principal: b.Principal, SourceArn: b.SourceArn, SourceAccount: b.SourceAccount, PrincipalOrgID: b.PrincipalOrgID,
		FunctionURLAuthType: b.FunctionURLAuthType, Qualifier: c.r.URL.Query().Get("Qualifier")})
	if err != nil {
		return err
	}
	restjson.WriteJSON(c.w, http.StatusCreated, map[string]string{"Statement": st})
	return nil
}
