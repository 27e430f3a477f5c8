package apigw

import "strings"

// validateRequestParameters checks the keys of an integration's
// requestParameters (§9.1): append|overwrite|remove:header.<name> or
// :querystring.<name>, and overwrite:path. Action and destination are
// case-insensitive; a header may appear once across actions.
func validateRequestParameters(m map[string]string) error {
	headers := map[string]string{}
	for key := range m {
		action, dest, ok := strings.Cut(key, ":")
		if !ok {
			return badRequest("Invalid mapping key %s: use append, overwrite or remove, then :header.<name>, :querystring.<name> or :path", key)
		}
		action = strings.ToLower(action)
		if action != "append" && action != "overwrite" && action != "remove" {
			return badRequest("Invalid mapping key %s: the action must be append, overwrite or remove", key)
		}
		lower := strings.ToLower(dest)
		switch {
		case lower == "path":
			if action != "overwrite" {
				return badRequest("Invalid mapping key %s: the path can only be overwritten", key)
			}
		case strings.HasPrefix(lower, "header."), strings.HasPrefix(lower, "querystring."):
			_, name, _ := strings.Cut(dest, ".")
			if name == "" || !validParamName(name) {
				return badRequest("Invalid mapping key %s: invalid parameter name", key)
			}
			if strings.HasPrefix(lower, "header.") {
				base := strings.ToLower(name)
				if prev, dup := headers[base]; dup {
					return badRequest("Invalid mapping key %s: header %s is already mapped by %s", key, name, prev)
				}
				headers[base] = key
				if reservedHeader(base) {
					return badRequest("Invalid mapping key %s: header %s is reserved", key, name)
				}
			}
		default:
			return badRequest("Invalid mapping key %s: the destination must be header.<name>, querystring.<name> or path", key)
		}
	}
	return nil
}

func validParamName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!#$&'*+^`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// reservedHeader lists the headers mapping may not touch (§9.1).
func reservedHeader(lower string) bool {
	switch lower {
	case "authorization", "connection", "content-encoding", "content-length", "content-location",
		"forwarded", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te",
		"trailers", "transfer-encoding", "upgrade", "x-forwarded-for", "x-forwarded-host",
		"x-forwarded-proto", "via":
		return true
	}
	return strings.HasPrefix(lower, "access-control-") || strings.HasPrefix(lower, "apigw-") ||
		strings.HasPrefix(lower, "x-amz-") || strings.HasPrefix(lower, "x-amzn-")
}
