package awsapi_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
)

// loopbackClient sends every request to the test server whatever its
// host, as a resolver mapping *.localhost to 127.0.0.1 would; the Host
// header keeps the name the client used.
func loopbackClient(serverURL string) *http.Client {
	u, _ := url.Parse(serverURL)
	d := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, u.Host)
	}}
	return &http.Client{Transport: tr}
}
