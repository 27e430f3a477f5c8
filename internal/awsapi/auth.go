package awsapi

import (
	"bytes"
	"context"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"strings"

	"crypto/sha256"
	"encoding/hex"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

// authenticate verifies the request's signature and sets who is calling.
// Bodies are read whole and hashed (sigv4.VerifyRequest), except S3's,
// which stream.
func (h *Handler) authenticate(c *call) error {
	if c.proto == protoS3 {
		return h.authenticateS3(c)
	}
	// An unsigned request is refused before its body is read.
	if _, err := sigv4.Parse(c.r); err != nil {
		return err
	}
	body, err := readBody(c.r)
	if err != nil {
		return err
	}
	c.body = body
	c.r.Body = io.NopCloser(bytes.NewReader(body))
	c.sig, err = sigv4.VerifyRequest(c.ctx(), c.r, body, sigv4.Check{Lookup: h.keys(c), Now: h.now()})
	return err
}

// authenticateS3 verifies an S3 request, leaving its body streaming:
// hash-checked, or chunk-decoded, as it is read.
func (h *Handler) authenticateS3(c *call) error {
	sig, err := sigv4.Parse(c.r)
	if err != nil {
		return err
	}
	c.sig = sig
	key, err := h.keys(c)(c.ctx(), sig.AccessKeyID)
	if err != nil {
		return err
	}
	if !key.AnyToken && sig.SecurityToken != key.SessionToken {
		return c.unknownKey()
	}
	c.secret = key.Secret
	payload := c.r.Header.Get("X-Amz-Content-Sha256")
	if sig.Presigned {
		payload = sigv4.UnsignedPayload
		if p := c.r.URL.Query().Get("X-Amz-Content-Sha256"); p != "" {
			payload = p
		}
	} else if payload == "" {
		if c.body, err = readBody(c.r); err != nil {
			return err
		}
		payload = sigv4.HashHex(c.body)
		c.r.Body = io.NopCloser(bytes.NewReader(c.body))
	}
	if err := sig.Verify(c.r, c.secret, payload, true, h.now()); err != nil {
		return err
	}
	if c.body == nil {
		switch {
		case sigv4.IsStreaming(payload):
			c.r.Body = io.NopCloser(sigv4.NewChunkedReader(c.r.Body, sig, c.secret, payload))
		case payload != sigv4.UnsignedPayload && len(payload) == 64:
			c.r.Body = &hashCheck{r: c.r.Body, h: sha256.New(), want: strings.ToLower(payload)}
		}
	}
	return nil
}

// keys finds the secret of a signing key — the root pair, or temporary
// credentials IAM issued — and notes on c who is calling.
func (h *Handler) keys(c *call) sigv4.KeyLookup {
	return func(ctx context.Context, accessKeyID string) (sigv4.Key, error) {
		if accessKeyID == h.cfg.RootAccessKey {
			c.root = true
			c.principal = iam.Principal{Kind: iam.KindRoot, ARN: fmt.Sprintf("arn:aws:iam::%s:root", h.cfg.AccountID), AccountID: h.cfg.AccountID}
			return sigv4.Key{Secret: h.cfg.RootSecretKey, AnyToken: true}, nil
		}
		if h.cfg.IAM == nil {
			return sigv4.Key{}, c.unknownKey()
		}
		creds, p, err := h.cfg.IAM.LookupAccessKey(ctx, accessKeyID)
		if err != nil {
			if e, ok := awserr.As(err); ok {
				if e.Code == "ExpiredToken" {
					return sigv4.Key{}, c.expiredToken()
				}
				return sigv4.Key{}, c.unknownKey()
			}
			return sigv4.Key{}, err
		}
		c.principal = p
		return sigv4.Key{Secret: creds.SecretAccessKey, SessionToken: creds.SessionToken}, nil
	}
}

func (c *call) unknownKey() error {
	switch c.proto {
	case protoS3:
		return awserr.WithStatus(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	case protoJSON, protoRESTJSON:
		return awserr.WithStatus(http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	return awserr.WithStatus(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

func (c *call) expiredToken() error {
	switch c.proto {
	case protoS3:
		return awserr.WithStatus(http.StatusBadRequest, "ExpiredToken", "The provided token has expired.")
	case protoJSON, protoRESTJSON:
		return awserr.WithStatus(http.StatusForbidden, "ExpiredTokenException", "The security token included in the request is expired")
	}
	return awserr.WithStatus(http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
}

// hashCheck fails the read at EOF when the body does not hash to the
// signed X-Amz-Content-Sha256, so the object is never committed.
type hashCheck struct {
	r    io.ReadCloser
	h    hash.Hash
	want string
}

func (hc *hashCheck) Read(p []byte) (int, error) {
	n, err := hc.r.Read(p)
	hc.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(hc.h.Sum(nil)) != hc.want {
		return n, &sigv4.Error{Kind: sigv4.BadPayload, Message: "x-amz-content-sha256 does not match the body"}
	}
	return n, err
}

func (hc *hashCheck) Close() error { return hc.r.Close() }

// authorize asks IAM whether the caller may perform action on resource.
// The account root may do anything.
func (h *Handler) authorize(c *call, action, resource string) error {
	if c.root || h.cfg.IAM == nil {
		return nil
	}
	ctx := map[string][]string{"aws:SecureTransport": {"false"}}
	if host, _, err := net.SplitHostPort(c.r.RemoteAddr); err == nil {
		ctx["aws:SourceIp"] = []string{host}
	}
	d, err := h.cfg.IAM.Authorize(c.ctx(), iam.Request{Principal: c.principal, Action: action, Resource: resource, Context: ctx})
	if err != nil {
		return err
	}
	if d.Allowed {
		return nil
	}
	why := "because no identity-based policy allows the " + action + " action"
	if !strings.HasPrefix(d.Reason, "no statement allows") {
		why = "with an explicit deny in an identity-based policy"
	}
	code, status := "AccessDenied", http.StatusForbidden
	switch c.proto {
	case protoRESTJSON:
		code = "AccessDeniedException"
	case protoJSON:
		// JSON 1.1 services (SSM, CloudWatch Logs, DynamoDB…) answer an
		// IAM denial with 400, not 403: SDKs report "StatusCode: 400 …
		// api error AccessDeniedException".
		code, status = "AccessDeniedException", http.StatusBadRequest
	}
	return awserr.WithStatus(status, code, "User: %s is not authorized to perform: %s on resource: %s %s",
		c.principal.ARN, action, resource, why)
}

// arn builds an ARN in the handler's partition, region and account.
func (h *Handler) arn(service, resource string) string {
	return "arn:aws:" + service + ":" + h.cfg.Region + ":" + h.cfg.AccountID + ":" + resource
}
