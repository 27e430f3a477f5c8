package stack

import (
	"crypto/rand"
	"strings"
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomSuffix returns n random characters from alphabet.
func randomSuffix(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// fitName builds {stack}-{logical}-{suffix} and fits it into max
// characters by shortening the stack and logical parts, keeping the
// suffix whole (AWS truncates the readable parts; the exact rule is not
// documented, spec cloudformation §6.0).
func fitName(stackName, logicalID, suffix string, max int) string {
	room := max - len(suffix) - 2
	if room < 2 {
		return suffix[:min(len(suffix), max)]
	}
	s, l := stackName, logicalID
	for len(s)+len(l) > room {
		if len(s) >= len(l) {
			s = s[:len(s)-1]
		} else {
			l = l[:len(l)-1]
		}
	}
	return strings.Join([]string{s, l, suffix}, "-")
}
