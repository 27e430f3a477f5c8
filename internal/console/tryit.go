package console

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// tryForm is the "try it" form's values.
type tryForm struct {
	Stage, Method, Path, Query, Headers, Body string
	Stages                                    []string
}

// tryResult is what one "try it" request did.
type tryResult struct {
	// Request is the request as sent, in HTTP/1.1 form.
	Request string
	Calls   []tryCall
	Status  int
	// StatusText is the reason phrase of Status.
	StatusText string
	Headers    []header
	Body       string
	BodyBinary bool
}

type tryCall struct {
	CapturedInvocation
	FunctionName string
	EventJSON    string
	ResponseJSON string
}

type header struct{ Name, Value string }

// defaultTry fills the form from the API's first stage and route.
func defaultTry(p *apiPage) tryForm {
	f := tryForm{Method: "GET", Path: "/"}
	for _, s := range p.Stages {
		f.Stages = append(f.Stages, s.StageName)
	}
	if len(f.Stages) > 0 {
		f.Stage = f.Stages[0]
	}
	for _, r := range p.Routes {
		method, path, ok := strings.Cut(r.RouteKey, " ")
		if !ok {
			continue
		}
		if method != "ANY" {
			f.Method = method
		}
		f.Path = strings.ReplaceAll(path, "{proxy+}", "")
		break
	}
	return f
}

var methodRE = regexp.MustCompile(`^[A-Z]{1,16}$`)

// apiTry sends the form's request through the real data plane in-process
// and shows the event the function received and the response.
func (c *Console) apiTry(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := c.loadAPI(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := p.Try
	f.Stage, f.Method, f.Path = r.PostFormValue("stage"), strings.ToUpper(strings.TrimSpace(r.PostFormValue("method"))), strings.TrimSpace(r.PostFormValue("path"))
	f.Query, f.Headers, f.Body = strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("query")), "?"), r.PostFormValue("headers"), r.PostFormValue("body")
	p.Try = f
	if !methodRE.MatchString(f.Method) {
		return badRequest("Method %q is not an HTTP method.", f.Method)
	}
	if !strings.HasPrefix(f.Path, "/") {
		return badRequest("Path %q must start with /.", f.Path)
	}
	known := false
	for _, s := range p.Stages {
		known = known || s.StageName == f.Stage
	}
	if !known {
		return badRequest("API %s has no stage %q.", p.API.APIID, f.Stage)
	}
	target := c.cfg.APIEndpoint(p.API.APIID) + stagePrefix(f.Stage) + f.Path
	if f.Query != "" {
		target += "?" + f.Query
	}
	u, err := url.Parse(target)
	if err != nil {
		return badRequest("The request URL %s is not valid: %v", target, err)
	}
	cctx, capture := WithCapture(ctx)
	req, err := http.NewRequestWithContext(cctx, f.Method, u.String(), strings.NewReader(f.Body))
	if err != nil {
		return badRequest("The request is not valid: %v", err)
	}
	if f.Body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for i, line := range strings.Split(f.Headers, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(strings.TrimSpace(name), " \t") {
			return badRequest("Header line %d %q is not in the form Name: value.", i+1, line)
		}
		req.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	req.Host = u.Host
	req.RemoteAddr = r.RemoteAddr
	req.RequestURI = u.RequestURI()
	rec := newRecorder()
	c.cfg.APIs.ServeAPI(rec, req, p.API.APIID, u.Path)
	p.Result = c.tryResult(req, f.Body, rec, capture)
	c.render(w, r, http.StatusOK, "api", p.API.Name, "apis", p)
	return nil
}

func (c *Console) tryResult(req *http.Request, body string, rec *recorder, capture *Capture) *tryResult {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\nHost: %s\n", req.Method, req.URL.RequestURI(), req.Host)
	for _, h := range sortedHeaders(req.Header) {
		fmt.Fprintf(&b, "%s: %s\n", h.Name, h.Value)
	}
	if body != "" {
		b.WriteString("\n" + body)
	}
	res := &tryResult{Request: b.String(), Status: rec.status, StatusText: http.StatusText(rec.status), Headers: sortedHeaders(rec.header)}
	if utf8.Valid(rec.body.Bytes()) {
		res.Body = rec.body.String()
	} else {
		res.BodyBinary = true
		res.Body = fmt.Sprintf("(%d bytes of binary data)", rec.body.Len())
	}
	for _, call := range capture.Calls() {
		res.Calls = append(res.Calls, tryCall{CapturedInvocation: call, FunctionName: functionNameOf(call.FunctionARN),
			EventJSON: prettyJSON(call.Event), ResponseJSON: prettyJSON(call.Response)})
	}
	return res
}

func sortedHeaders(h http.Header) []header {
	var out []header
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, header{k, v})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// recorder is a ResponseWriter that keeps the response in memory.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

var _ http.ResponseWriter = (*recorder)(nil)
