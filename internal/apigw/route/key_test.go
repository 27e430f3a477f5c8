package route

import (
	"errors"
	"testing"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		key     string
		want    Key
		wantErr bool
	}{
		{key: "$default", want: Key{Raw: "$default"}},
		{key: "GET /", want: Key{Raw: "GET /", Method: "GET", Path: "/"}},
		{key: "ANY /{proxy+}", want: Key{Raw: "ANY /{proxy+}", Method: "ANY", Path: "/{proxy+}"}},
		{key: "POST /test9/api/users/{userId}/orders", want: Key{Raw: "POST /test9/api/users/{userId}/orders", Method: "POST", Path: "/test9/api/users/{userId}/orders"}},
		{key: "GET /a.b/c_d/e:f/g-h/{x.y}", want: Key{Raw: "GET /a.b/c_d/e:f/g-h/{x.y}", Method: "GET", Path: "/a.b/c_d/e:f/g-h/{x.y}"}},
		{key: "OPTIONS /pets/{anything+}", want: Key{Raw: "OPTIONS /pets/{anything+}", Method: "OPTIONS", Path: "/pets/{anything+}"}},
		{key: "", wantErr: true},
		{key: "GET", wantErr: true},
		{key: "get /pets", wantErr: true},
		{key: "TRACE /pets", wantErr: true},
		{key: "GET pets", wantErr: true},
		{key: "GET /metrics/", wantErr: true}, // storacha/w3infra PR #166
		{key: "GET /a//b", wantErr: true},
		{key: "GET /{proxy+}/x", wantErr: true},
		{key: "GET /{}", wantErr: true},
		{key: "GET /{+}", wantErr: true},
		{key: "GET /a b", wantErr: true},
		{key: "GET  /a", wantErr: true},
		{key: "GET /a/{id}/b/{id}", wantErr: true},
		{key: "GET /caf\u00e9", wantErr: true},
		{key: "GET /a{id}", wantErr: true},
		{key: "$DEFAULT", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseKey(tt.key)
		if tt.wantErr {
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Errorf("ParseKey(%q) = %+v, %v, want a *KeyError", tt.key, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseKey(%q) = %+v, %v, want %+v", tt.key, got, err, tt.want)
		}
	}
}
