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

// lambdaRoute is a Lambda REST path split into the operation it names and
// the identifiers its URI carries, each decoded once (a function ARN's
// colons arrive escaped).
type lambdaRoute struct {
	op       string
	function string // function name, partial or full ARN, maybe qualified
	layer    string // layer name or ARN
	id       string // statement ID, alias name, layer version or tagged ARN
}

// lambdaOp serves one operation.
type lambdaOp func(h *Handler, c *call, rt lambdaRoute) error

// lambdaOps maps the operations cloudlet implements to their adapters.
// Paths and success statuses follow botocore's lambda model (2015-03-31).
var lambdaOps = map[string]lambdaOp{
	"CreateFunction":                  (*Handler).lambdaCreate,
	"ListFunctions":                   (*Handler).lambdaList,
	"GetFunction":                     (*Handler).lambdaGet,
	"GetFunctionConfiguration":        (*Handler).lambdaGetConfiguration,
	"DeleteFunction":                  (*Handler).lambdaDelete,
	"UpdateFunctionConfiguration":     (*Handler).lambdaUpdateConfiguration,
	"UpdateFunctionCode":              (*Handler).lambdaUpdateCode,
	"Invoke":                          (*Handler).lambdaInvoke,
	"AddPermission":                   (*Handler).lambdaAddPermission,
	"GetPolicy":                       (*Handler).lambdaGetPolicy,
	"RemovePermission":                (*Handler).lambdaRemovePermission,
	"PublishVersion":                  (*Handler).lambdaPublishVersion,
	"ListVersionsByFunction":          (*Handler).lambdaListVersions,
	"CreateAlias":                     (*Handler).lambdaCreateAlias,
	"GetAlias":                        (*Handler).lambdaGetAlias,
	"UpdateAlias":                     (*Handler).lambdaUpdateAlias,
	"DeleteAlias":                     (*Handler).lambdaDeleteAlias,
	"ListAliases":                     (*Handler).lambdaListAliases,
	"PutFunctionConcurrency":          (*Handler).lambdaPutConcurrency,
	"GetFunctionConcurrency":          (*Handler).lambdaGetConcurrency,
	"DeleteFunctionConcurrency":       (*Handler).lambdaDeleteConcurrency,
	"GetAccountSettings":              (*Handler).lambdaAccountSettings,
	"PutFunctionEventInvokeConfig":    (*Handler).lambdaPutEventInvokeConfig,
	"UpdateFunctionEventInvokeConfig": (*Handler).lambdaUpdateEventInvokeConfig,
	"GetFunctionEventInvokeConfig":    (*Handler).lambdaGetEventInvokeConfig,
	"DeleteFunctionEventInvokeConfig": (*Handler).lambdaDeleteEventInvokeConfig,
	"ListFunctionEventInvokeConfigs":  (*Handler).lambdaListEventInvokeConfigs,
	"PublishLayerVersion":             (*Handler).lambdaPublishLayerVersion,
	"GetLayerVersion":                 (*Handler).lambdaGetLayerVersion,
	"GetLayerVersionByArn":            (*Handler).lambdaGetLayerVersionByArn,
	"ListLayerVersions":               (*Handler).lambdaListLayerVersions,
	"DeleteLayerVersion":              (*Handler).lambdaDeleteLayerVersion,
	"ListTags":                        (*Handler).lambdaListTags,
}

// lambdaRouteOf names the operation of a Lambda request by method and
// path. The date segment is not checked: the model spreads operations
// over several (concurrency is PUT under 2017-10-31 but GET under
// 2019-09-30), and what follows it is unambiguous. An unknown route has
// an empty op.
func lambdaRouteOf(r *http.Request) lambdaRoute {
	var segs []string
	for _, s := range strings.Split(strings.Trim(rawPath(r), "/"), "/") {
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
		segs = append(segs, s)
	}
	if len(segs) < 2 {
		return lambdaRoute{}
	}
	m, rest := r.Method, segs[1:]
	pick := func(ops map[string]string) string { return ops[m] }
	var rt lambdaRoute
	switch rest[0] {
	case "functions":
		if len(rest) >= 2 {
			rt.function = rest[1]
		}
		if len(rest) >= 4 {
			rt.id = rest[3]
		}
		switch {
		case len(rest) == 1:
			rt.op = pick(map[string]string{http.MethodPost: "CreateFunction", http.MethodGet: "ListFunctions"})
		case len(rest) == 2:
			rt.op = pick(map[string]string{http.MethodGet: "GetFunction", http.MethodDelete: "DeleteFunction"})
		case len(rest) == 3:
			rt.op = functionSubOps[rest[2]][m]
		case len(rest) == 4 && rest[2] == "policy":
			rt.op = pick(map[string]string{http.MethodDelete: "RemovePermission"})
		case len(rest) == 4 && rest[2] == "aliases":
			rt.op = pick(map[string]string{http.MethodGet: "GetAlias", http.MethodPut: "UpdateAlias", http.MethodDelete: "DeleteAlias"})
		case len(rest) == 4 && rest[2] == "event-invoke-config" && rest[3] == "list":
			rt.op, rt.id = pick(map[string]string{http.MethodGet: "ListFunctionEventInvokeConfigs"}), ""
		}
	case "account-settings":
		if len(rest) == 1 {
			rt.op = pick(map[string]string{http.MethodGet: "GetAccountSettings"})
		}
	case "layers":
		if len(rest) >= 2 {
			rt.layer = rest[1]
		}
		switch {
		case len(rest) == 1 && m == http.MethodGet && r.URL.Query().Get("find") == "LayerVersion":
			rt.op, rt.id = "GetLayerVersionByArn", r.URL.Query().Get("Arn")
		case len(rest) == 3 && rest[2] == "versions":
			rt.op = pick(map[string]string{http.MethodPost: "PublishLayerVersion", http.MethodGet: "ListLayerVersions"})
		case len(rest) == 4 && rest[2] == "versions":
			rt.op, rt.id = pick(map[string]string{http.MethodGet: "GetLayerVersion", http.MethodDelete: "DeleteLayerVersion"}), rest[3]
		}
	case "tags":
		if len(rest) == 2 {
			rt.op, rt.id = pick(map[string]string{http.MethodGet: "ListTags", http.MethodPost: "TagResource", http.MethodDelete: "UntagResource"}), rest[1]
		}
	}
	return rt
}

// functionSubOps are the operations on /functions/{name}/{sub}, by sub
// and method.
var functionSubOps = map[string]map[string]string{
	"configuration":       {http.MethodGet: "GetFunctionConfiguration", http.MethodPut: "UpdateFunctionConfiguration"},
	"code":                {http.MethodPut: "UpdateFunctionCode"},
	"invocations":         {http.MethodPost: "Invoke"},
	"policy":              {http.MethodPost: "AddPermission", http.MethodGet: "GetPolicy"},
	"versions":            {http.MethodPost: "PublishVersion", http.MethodGet: "ListVersionsByFunction"},
	"aliases":             {http.MethodPost: "CreateAlias", http.MethodGet: "ListAliases"},
	"concurrency":         {http.MethodPut: "PutFunctionConcurrency", http.MethodGet: "GetFunctionConcurrency", http.MethodDelete: "DeleteFunctionConcurrency"},
	"event-invoke-config": {http.MethodPut: "PutFunctionEventInvokeConfig", http.MethodPost: "UpdateFunctionEventInvokeConfig", http.MethodGet: "GetFunctionEventInvokeConfig", http.MethodDelete: "DeleteFunctionEventInvokeConfig"},
}

// lambdaActions are the IAM actions whose names differ from their
// operation's.
var lambdaActions = map[string]string{
	"GetLayerVersionByArn": "lambda:GetLayerVersion",
}

func (h *Handler) serveLambda(c *call) error {
	rt := lambdaRouteOf(c.r)
	c.op = rt.op
	if c.op == "" {
		c.op = c.r.Method + " " + c.r.URL.Path
	}
	if h.cfg.Lambda == nil {
		return serviceMissing(c, c.op)
	}
	op := lambdaOps[rt.op]
	if op == nil {
		// ListLayers (the service keeps no index of layer names), tagging
		// after creation, function URLs, event source mappings, …
		return notImplemented(c, c.op)
	}
	if rt.op != "Invoke" { // Invoke is authorised by the Lambda service with the function's policy
		action := lambdaActions[rt.op]
		if action == "" {
			action = "lambda:" + rt.op
		}
		if err := h.authorize(c, action, h.lambdaResource(rt)); err != nil {
			return err
		}
	}
	return op(h, c, rt)
}

// lambdaResource is the ARN an operation is authorised against.
func (h *Handler) lambdaResource(rt lambdaRoute) string {
	switch {
	case rt.function != "":
		return h.functionARN(rt.function)
	case rt.op == "ListTags" || rt.op == "GetLayerVersionByArn":
		if rt.id == "" {
			return "*"
		}
		return rt.id
	case rt.layer == "":
		return "*"
	case strings.HasPrefix(rt.layer, "arn:"):
		if rt.id != "" {
			return rt.layer + ":" + rt.id
		}
		return rt.layer
	case rt.id != "":
		return h.arn("lambda", "layer:"+rt.layer+":"+rt.id)
	}
	return h.arn("lambda", "layer:"+rt.layer)
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

func decodeJSON(c *call, v any) error {
	if len(c.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return awserr.New("SerializationException", "Could not parse request body: %v", err)
	}
	return nil
}

// reply writes v with status, or returns err.
func reply(c *call, status int, v any, err error) error {
	if err != nil {
		return err
	}
	restjson.WriteJSON(c.w, status, v)
	return nil
}

// maxItems reads the MaxItems query parameter; absent is zero (the
// service's default page).
func maxItems(c *call) (int, error) {
	s := c.r.URL.Query().Get("MaxItems")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, awserr.New("ValidationException", "1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must be an integer", s)
	}
	return n, nil
}

// absoluteURL puts a download link the service gives (under
// /_cloudlet/api/, as a path or on the endpoint it was configured with)
// on the scheme and host the client reached cloudlet by, as AWS's
// presigned links are absolute and reachable by the caller: a client on
// another machine, or using localhost rather than 127.0.0.1, can follow
// it.
func absoluteURL(c *call, loc string) string {
	u, err := url.Parse(loc)
	if err != nil || !(strings.HasPrefix(u.Path, lambda.CodePath) || strings.HasPrefix(u.Path, lambda.LayerPath)) {
		return loc
	}
	u.Scheme, u.Host = "http", c.r.Host
	if c.r.TLS != nil {
		u.Scheme = "https"
	}
	return u.String()
}
