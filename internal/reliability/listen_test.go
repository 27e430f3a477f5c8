package reliability_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// listenAddrs lists the local addresses of the TCP sockets listening on
// port, from /proc/net/tcp and tcp6: "127.0.0.1", "::1", "any" (every
// interface, IPv4 or IPv6) or the kernel's hex.
func listenAddrs(t *testing.T, port int) []string {
	t.Helper()
	var addrs []string
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 4 || fields[3] != "0A" { // 0A: LISTEN
				continue
			}
			addr, p, _ := strings.Cut(fields[1], ":")
			if p != fmt.Sprintf("%04X", port) {
				continue
			}
			switch {
			case addr == "0100007F":
				addr = "127.0.0.1"
			case addr == "00000000000000000000000001000000":
				addr = "::1"
			case strings.Trim(addr, "0") == "":
				addr = "any"
			}
			addrs = append(addrs, addr)
		}
	}
	return addrs
}

const defaultKeysWarning = "listening beyond loopback with the default SigV4 keys test/test"

// Issue 8 §5: cloudlet listens on loopback unless told otherwise; told
// to listen beyond it with the default keys, it warns that they must be
// changed.
func TestListensOnLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	tests := []struct {
		name  string
		args  []string
		addrs string // local addresses of the listening sockets
		warns bool
	}{
		{"default", nil, "[127.0.0.1]", false},
		{"allInterfacesDefaultKeys", []string{"--host", "0.0.0.0"}, "[any]", true},
		{"allInterfacesOwnKeys", []string{"--host", "0.0.0.0", "--access-key", "AKIAOWN", "--secret-key", "own-secret"}, "[any]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serve(t, t.TempDir(), tt.args...)
			if got := fmt.Sprint(listenAddrs(t, s.Port)); got != tt.addrs {
				t.Errorf("serve %v listens on %s, want %s", tt.args, got, tt.addrs)
			}
			if got := strings.Contains(s.output(), defaultKeysWarning); got != tt.warns {
				t.Errorf("serve %v warns about the default keys: %v, want %v\n%s", tt.args, got, tt.warns, s.output())
			}
		})
	}
}
