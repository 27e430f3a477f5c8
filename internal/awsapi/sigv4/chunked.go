package sigv4

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxChunkHeader bounds a chunk's header line and a trailer line.
const maxChunkHeader = 4096

// ChunkedReader decodes an aws-chunked body
// (Content-Encoding: aws-chunked), checking each chunk's signature
// against the previous one, starting from the request's seed signature,
// and the trailer's signature when the payload names one. Read returns an
// *Error of Kind BadPayload on a malformed body or a wrong signature, so
// a store that reads it to EOF before committing never keeps a forged
// object.
type ChunkedReader struct {
	br       *bufio.Reader
	signed   bool
	trailer  bool
	key      []byte
	scope    string
	date     string
	prev     string
	left     int64 // bytes left in the current chunk
	h        hash.Hash
	done     bool
	err      error
	pending  string      // signature of the chunk being read
	Trailers http.Header // trailing headers (x-amz-checksum-*), after EOF
}

// NewChunkedReader decodes body signed by sig with secret. payload is the
// X-Amz-Content-Sha256 marker: StreamingPayload,
// StreamingPayloadTrailer or StreamingUnsignedTrailer.
func NewChunkedReader(body io.Reader, sig *Signature, secret, payload string) *ChunkedReader {
	c := &ChunkedReader{br: bufio.NewReaderSize(body, 64<<10), Trailers: http.Header{}}
	c.signed = payload == StreamingPayload || payload == StreamingPayloadTrailer
	c.trailer = payload == StreamingPayloadTrailer || payload == StreamingUnsignedTrailer
	if sig != nil {
		c.key = SigningKey(secret, sig.Scope)
		c.scope = sig.Scope.String()
		c.date = sig.Time.UTC().Format(TimeFormat)
		c.prev = sig.Signature
	}
	c.left = -1
	return c
}

// IsStreaming reports whether a payload hash marker announces an
// aws-chunked body.
func IsStreaming(payload string) bool {
	switch payload {
	case StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedTrailer:
		return true
	}
	return false
}

func badChunk(msg string) *Error { return fail(BadPayload, msg) }

func (c *ChunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.done {
		return 0, io.EOF
	}
	if c.left <= 0 {
		if c.left == 0 {
			if err := c.endChunk(); err != nil {
				c.err = err
				return 0, err
			}
		}
		if err := c.startChunk(); err != nil {
			c.err = err
			return 0, err
		}
		if c.done {
			return 0, io.EOF
		}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.br.Read(p)
	c.left -= int64(n)
	if c.h != nil {
		c.h.Write(p[:n])
	}
	if err == io.EOF {
		if c.left > 0 {
			c.err = badChunk("the aws-chunked body ended inside a chunk")
			return n, c.err
		}
		err = nil
	}
	return n, err
}

func (c *ChunkedReader) line() (string, error) {
	var b strings.Builder
	for {
		frag, isPrefix, err := c.br.ReadLine()
		if err != nil {
			if err == io.EOF {
				return "", badChunk("the aws-chunked body ended early")
			}
			return "", err
		}
		b.Write(frag)
		if b.Len() > maxChunkHeader {
			return "", badChunk("an aws-chunked header line is too long")
		}
		if !isPrefix {
			return b.String(), nil
		}
	}
}

// startChunk reads "hex-size[;chunk-signature=sig]" and, for the final
// zero-size chunk, the trailer.
func (c *ChunkedReader) startChunk() error {
	hdr, err := c.line()
	if err != nil {
		return err
	}
	sizeText, ext, _ := strings.Cut(hdr, ";")
	size, err := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
	if err != nil || size < 0 {
		return badChunk("an aws-chunked chunk size is not hexadecimal: " + strconv.Quote(sizeText))
	}
	var chunkSig string
	if c.signed {
		k, v, _ := strings.Cut(ext, "=")
		if strings.TrimSpace(k) != "chunk-signature" || v == "" {
			return badChunk("an aws-chunked chunk lacks its chunk-signature")
		}
		chunkSig = strings.ToLower(strings.TrimSpace(v))
	}
	c.h = sha256.New()
	if size == 0 {
		if c.signed {
			if err := c.check(chunkSig); err != nil {
				return err
			}
		}
		c.done = true
		return c.readTrailer()
	}
	c.left = size
	c.pending = chunkSig
	return nil
}

// endChunk checks the chunk just read and the CRLF after it.
func (c *ChunkedReader) endChunk() error {
	if c.signed {
		if err := c.check(c.pending); err != nil {
			return err
		}
	}
	l, err := c.line()
	if err != nil {
		return err
	}
	if l != "" {
		return badChunk("an aws-chunked chunk is longer than its size says")
	}
	c.left = -1
	return nil
}

func (c *ChunkedReader) check(sig string) error {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.date + "\n" + c.scope + "\n" + c.prev + "\n" + EmptySHA256 + "\n" + hex.EncodeToString(c.h.Sum(nil))
	want := Sign(c.key, sts)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return fail(Mismatch, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
	c.prev = sig
	return nil
}

// readTrailer reads trailing headers up to the blank line, checking
// x-amz-trailer-signature when the payload is signed.
func (c *ChunkedReader) readTrailer() error {
	var canon strings.Builder
	var trailerSig string
	for {
		l, err := c.line()
		if err != nil {
			if !c.trailer {
				// Some clients end the body right after "0;chunk-signature=…\r\n".
				return nil
			}
			return err
		}
		if l == "" {
			break
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return badChunk("an aws-chunked trailer line is not a header: " + strconv.Quote(l))
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if k == "x-amz-trailer-signature" {
			trailerSig = strings.ToLower(v)
			continue
		}
		c.Trailers.Add(k, v)
		canon.WriteString(k + ":" + v + "\n")
	}
	if c.signed && c.trailer {
		sts := "AWS4-HMAC-SHA256-TRAILER\n" + c.date + "\n" + c.scope + "\n" + c.prev + "\n" + HashHex([]byte(canon.String()))
		if !hmac.Equal([]byte(Sign(c.key, sts)), []byte(trailerSig)) {
			return fail(Mismatch, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		}
	}
	return nil
}
