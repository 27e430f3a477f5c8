package iam

import (
	"crypto/rand"
	"strings"
)

// Alphabets whose sizes are powers of two, so a random byte masked down
// picks each character with equal odds.
const (
	idAlphabet     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"                                 // 32: unique IDs and access keys
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" // 64: secrets and tokens
)

// randomString returns n characters drawn from alphabet, whose length must
// be a power of two no larger than 256.
func randomString(alphabet string, n int) string {
	buf := make([]byte, n)
	rand.Read(buf) // crypto/rand.Read never fails on supported platforms.
	mask := byte(len(alphabet) - 1)
	for i, b := range buf {
		buf[i] = alphabet[b&mask]
	}
	return string(buf)
}

// Unique ID prefixes IAM uses: AROA for roles, ANPA for managed policies,
// ASIA for temporary access keys.
func newRoleID() string      { return "AROA" + randomString(idAlphabet, 17) }
func newPolicyID() string    { return "ANPA" + randomString(idAlphabet, 17) }
func newAccessKeyID() string { return "ASIA" + randomString(idAlphabet, 16) }

// arnParts splits an ARN into partition, service, region, account and
// resource; ok is false when s is not an ARN.
func arnParts(s string) (partition, service, region, account, resource string, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", "", "", "", "", false
	}
	return parts[1], parts[2], parts[3], parts[4], parts[5], true
}

// accountOf returns the account an ARN names, or "" when it names none.
func accountOf(arn string) string {
	_, _, _, account, _, _ := arnParts(arn)
	return account
}

// splitPathName splits "role/path/to/name" after the given type prefix into
// path "/path/to/" and name.
func splitPathName(resource, typ string) (path, name string, ok bool) {
	rest, found := strings.CutPrefix(resource, typ+"/")
	if !found || rest == "" {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	return "/" + rest[:i+1], rest[i+1:], rest[i+1:] != ""
}
