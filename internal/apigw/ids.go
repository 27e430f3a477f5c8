package apigw

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// ID lengths as AWS uses them (shared/specs/http-api.md §11).
const (
	apiIDLen        = 10
	routeIDLen      = 7
	integrationLen  = 7
	authorizerIDLen = 7
	deploymentIDLen = 6
)

func randomID(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return string(b)
}

// newID returns a random ID of n characters not yet used as bucket/prefix+ID.
func newID(tx *store.Tx, bucket, prefix string, n int) string {
	for {
		id := randomID(n)
		if tx.GetRaw(bucket, prefix+id) == nil {
			return id
		}
	}
}

// newRequestID makes an ID shaped like API Gateway's ("JCInWhFRvHcEJdA="):
// 11 random bytes in URL-safe base64 with padding, 16 characters.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return base64.URLEncoding.EncodeToString(b[:11])
}

// newTraceID makes an X-Ray trace header value, Root=1-<8 hex>-<24 hex>.
func newTraceID(epochSeconds int64) string {
	const hex = "0123456789abcdef"
	b := []byte("Root=1-00000000-000000000000000000000000")
	for i := 0; i < 8; i++ {
		b[7+i] = hex[(epochSeconds>>(28-4*i))&0xf]
	}
	r1, r2 := rand.Uint64(), rand.Uint64()
	for i := 0; i < 24; i++ {
		var nib uint64
		if i < 16 {
			nib = r1 >> (60 - 4*i)
		} else {
			nib = r2 >> (60 - 4*(i-16))
		}
		b[16+i] = hex[nib&0xf]
	}
	return string(b)
}
