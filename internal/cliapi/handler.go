package cliapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// Functions is what the handler needs of the Lambda service.
type Functions interface {
	// VerifyCodeLink accepts a presigned download link the service made
	// and refuses anything else with an S3-style *awserr.Error.
	VerifyCodeLink(path string, query url.Values) error
	FunctionCodeZip(ctx context.Context, functionName, qualifier string) ([]byte, error)
	LayerCodeZip(ctx context.Context, layerName string, version int64) ([]byte, error)
	GetFunctionConfiguration(ctx context.Context, functionName, qualifier string) (*lambda.FunctionConfiguration, error)
	Invocations(functionName string) []lambda.InvocationRecord
	DestinationRecords(functionName string) []lambda.DestinationRecord
	Metrics() lambda.Metrics
}

var _ Functions = (*lambda.Service)(nil)

// Config configures the handler.
type Config struct {
	// Functions is the Lambda service; required.
	Functions Functions
	// Logger is the platform's log; nil discards.
	Logger *slog.Logger
}

// Handler serves /_cloudlet/api/. It is safe for concurrent use.
type Handler struct {
	fns Functions
	log *slog.Logger
	mux *http.ServeMux
}

var _ http.Handler = (*Handler)(nil)

// New returns the handler. Mount it at /_cloudlet/api/.
func New(cfg Config) *Handler {
	h := &Handler{fns: cfg.Functions, log: cfg.Logger, mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.mux.HandleFunc("GET "+lambda.CodePath+"{name}/code", h.functionCode)
	h.mux.HandleFunc("GET "+lambda.LayerPath+"{name}/{version}", h.layerCode)
	h.mux.HandleFunc("GET "+lambda.CodePath+"{name}/invocations", h.invocations)
	h.mux.HandleFunc("GET "+lambda.CodePath+"{name}/destinations", h.destinations)
	h.mux.HandleFunc("GET /_cloudlet/api/metrics", h.metrics)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) functionCode(w http.ResponseWriter, r *http.Request) {
	if err := h.fns.VerifyCodeLink(r.URL.Path, r.URL.Query()); err != nil {
		h.refuse(w, r, err)
		return
	}
	raw, err := h.fns.FunctionCodeZip(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeZip(w, r.PathValue("name"), raw)
}

func (h *Handler) layerCode(w http.ResponseWriter, r *http.Request) {
	if err := h.fns.VerifyCodeLink(r.URL.Path, r.URL.Query()); err != nil {
		h.refuse(w, r, err)
		return
	}
	v, err := strconv.ParseInt(r.PathValue("version"), 10, 64)
	if err != nil {
		h.fail(w, awserr.WithStatus(http.StatusNotFound, awserr.CodeResourceNotFound, "The resource you requested does not exist."))
		return
	}
	raw, err := h.fns.LayerCodeZip(r.Context(), r.PathValue("name"), v)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeZip(w, r.PathValue("name")+"-"+r.PathValue("version"), raw)
}

func writeZip(w http.ResponseWriter, name string, raw []byte) {
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ".zip"}))
	w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
	_, _ = w.Write(raw)
}

// invocations answers the function's recent invocations, newest first;
// a function never invoked has none, a function that does not exist is
// a 404.
func (h *Handler) invocations(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, err := h.fns.GetFunctionConfiguration(r.Context(), name, ""); err != nil {
		h.fail(w, err)
		return
	}
	recs := h.fns.Invocations(name)
	if recs == nil {
		recs = []lambda.InvocationRecord{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"Invocations": recs})
}

func (h *Handler) destinations(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, err := h.fns.GetFunctionConfiguration(r.Context(), name, ""); err != nil {
		h.fail(w, err)
		return
	}
	recs := h.fns.DestinationRecords(name)
	if recs == nil {
		recs = []lambda.DestinationRecord{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"Records": recs})
}

func (h *Handler) metrics(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.fns.Metrics())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers an error as Lambda's REST-JSON errors look: the status,
// X-Amzn-ErrorType and {"Type","message"}; anything but an AWS error is
// an internal failure, logged, not shown.
func (h *Handler) fail(w http.ResponseWriter, err error) {
	e, ok := awserr.As(err)
	if !ok || errors.Is(err, context.Canceled) {
		h.log.Error("cloudlet API", "err", err)
		e = awserr.WithStatus(http.StatusInternalServerError, "ServiceException", "An internal error occurred.")
	}
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	body := map[string]string{"message": e.Message}
	for k, v := range e.Fields {
		body[k] = v
	}
	writeJSON(w, e.HTTPStatus(), body)
}
