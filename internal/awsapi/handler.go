package awsapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
	"github.com/cloudlet-dev/cloudlet/internal/ssm"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// Defaults for Config's zero values.
const (
	DefaultRegion        = "us-east-1"
	DefaultAccountID     = "000000000000"
	DefaultRootAccessKey = "test"
	DefaultRootSecretKey = "test"
)

// maxBody bounds the bodies read whole to hash them (every service but
// S3, whose bodies stream): Lambda's CreateFunction accepts 70,167,211
// bytes (spec lambda §8.4).
const maxBody = 70167211

// Config configures the handler. A nil service answers its operations
// with 501 NotImplemented.
type Config struct {
	Stacks *stack.Engine
	Lambda *lambda.Service
	APIGW  *apigw.Service
	IAM    *iam.Service
	Logs   *logs.Service
	S3     *s3.Service
	SSM    *ssm.Service
	// Region and AccountID appear in ARNs; empty means DefaultRegion and
	// DefaultAccountID.
	Region, AccountID string
	// RootAccessKey and RootSecretKey are the account root's key pair;
	// empty means test/test.
	RootAccessKey, RootSecretKey string
	// Logger is the platform log; nil discards.
	Logger *slog.Logger
	// Now is the clock signatures are checked against; nil means time.Now.
	Now func() time.Time
	// SettleTimeout bounds how long CreateStack, UpdateStack, DeleteStack
	// and ExecuteChangeSet wait for the operation they start to end
	// before answering (settle.go); zero means DefaultSettleTimeout,
	// negative answers at once.
	SettleTimeout time.Duration
}

// Handler serves AWS API calls. It is safe for concurrent use.
type Handler struct {
	cfg Config
	log *slog.Logger
	now func() time.Time

	settleTimeout time.Duration
}

var _ http.Handler = (*Handler)(nil)

// New returns the handler.
func New(cfg Config) *Handler {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	if cfg.RootAccessKey == "" {
		cfg.RootAccessKey = DefaultRootAccessKey
	}
	if cfg.RootSecretKey == "" {
		cfg.RootSecretKey = DefaultRootSecretKey
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, now: cfg.Now, settleTimeout: cfg.SettleTimeout}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.settleTimeout == 0 {
		h.settleTimeout = DefaultSettleTimeout
	}
	return h
}

// call is one request on its way through the handler.
type call struct {
	w         http.ResponseWriter
	r         *http.Request
	proto     protocol
	service   string // SigV4 signing name
	op        string // operation, once known
	requestID string
	region    string
	principal iam.Principal
	root      bool
	body      []byte // the whole body, for every protocol but S3's
	sig       *sigv4.Signature
	secret    string
	// s3 routing, filled by the S3 adapter
	bucket, key string
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// ServeHTTP authenticates, then dispatches to the service's adapter.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, requestID: newRequestID(), region: h.cfg.Region}
	scope, signed := sigv4.ScopeOf(r)
	if signed {
		c.service = scope.Service
		if scope.Region != "" {
			c.region = scope.Region
		}
	} else {
		c.service = guessService(r)
	}
	c.proto = protocolOf(c.service, r)
	if c.proto == protoS3 {
		w.Header().Set("x-amz-request-id", c.requestID)
		w.Header().Set("x-amz-id-2", c.requestID)
	} else {
		w.Header().Set("x-amzn-RequestId", c.requestID)
	}
	if err := h.authenticate(c); err != nil {
		h.fail(c, err)
		return
	}
	var err error
	switch c.service {
	case "cloudformation":
		err = h.serveCloudFormation(c)
	case "iam":
		err = h.serveIAM(c)
	case "sts":
		err = h.serveSTS(c)
	case "s3":
		err = h.serveS3(c)
	case "lambda":
		err = h.serveLambda(c)
	case "apigateway":
		err = h.serveAPIGatewayV2(c)
	case "logs":
		err = h.serveLogs(c)
	case "ssm":
		err = h.serveSSM(c)
	default:
		err = notImplemented(c, operationGuess(r))
	}
	if err != nil {
		h.fail(c, err)
	}
}

// guessService names the service of an unsigned request, so that its
// MissingAuthenticationToken comes in the shape its client reads.
func guessService(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		switch {
		case strings.HasPrefix(t, "Logs_"):
			return "logs"
		case strings.HasPrefix(t, "AmazonSSM."):
			return "ssm"
		}
		return "unknown-json"
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/2015-03-31/"), strings.HasPrefix(p, "/2017-10-31/"), strings.HasPrefix(p, "/2018-10-31/"),
		strings.HasPrefix(p, "/2019-09-30/"), strings.HasPrefix(p, "/2016-08-19/"), strings.HasPrefix(p, "/2020-06-30/"),
		strings.HasPrefix(p, "/2019-09-25/"), strings.HasPrefix(p, "/2017-03-31/"):
		return "lambda"
	case strings.HasPrefix(p, "/v2/"):
		return "apigateway"
	}
	if r.URL.Query().Get("Action") != "" || (r.Method == http.MethodPost && p == "/" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")) {
		return "cloudformation"
	}
	return "s3"
}

func operationGuess(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	return r.Method + " " + r.URL.Path
}

// readBody reads the whole body (bounded) for the protocols whose bodies
// are small and signed whole.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(b) > maxBody {
		return nil, errTooLarge
	}
	return b, nil
}

var errTooLarge = errors.New("request body too large")

// ctx is the request's context.
func (c *call) ctx() context.Context { return c.r.Context() }
