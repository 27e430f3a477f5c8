package apigw

import (
	"net/url"
	"strings"
)

var corsMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "*": true}

// validateCors applies CreateApi/UpdateApi's CORS checks (§7).
func validateCors(c *Cors) error {
	if c == nil {
		return nil
	}
	wildcard := false
	for _, o := range c.AllowOrigins {
		switch {
		case o == "*":
			wildcard = true
		case o == "http://*" || o == "https://*":
			// §7 [VAL]: scheme wildcards are allowed.
		case strings.Contains(o, "*"):
			return badRequest("Invalid origin %s: a wildcard is allowed only as * or as the whole host of http://* and https://*", o)
		default:
			u, err := url.Parse(o)
			if err != nil || u.Scheme == "" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
				return badRequest("Invalid origin %s: an origin is scheme://host[:port]", o)
			}
		}
	}
	if wildcard && c.AllowCredentials != nil && *c.AllowCredentials {
		return badRequest("allow-credentials is not supported if 'allow-origin' is *")
	}
	for _, m := range c.AllowMethods {
		if !corsMethods[strings.ToUpper(m)] {
			return badRequest("Invalid method %s in AllowMethods", m)
		}
	}
	if c.MaxAge != nil && (*c.MaxAge < -1 || *c.MaxAge > 86400) {
		return badRequest("MaxAge must be between -1 and 86400")
	}
	return nil
}
