package ssm

import (
	"strconv"
	"strings"
)

// Name limits, from the Parameter Store documentation.
const (
	maxNameLength   = 2048
	maxHierarchy    = 15
	badNameMessage  = `Parameter name: can't be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`
	reservedMessage = `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`
)

func validNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == '/'
}

// validateName checks a name PutParameter may create.
func validateName(name string) error {
	if name == "" {
		return validation(&name, "name", "Member must have length greater than or equal to 1")
	}
	if len(name) > maxNameLength {
		return validation(&name, "name", "Member must have length less than or equal to 2048")
	}
	for i := 0; i < len(name); i++ {
		if !validNameChar(name[i]) {
			return ssmError(CodeValidation, "%s", badNameMessage)
		}
	}
	lower := strings.ToLower(name)
	if !strings.HasPrefix(name, "/") {
		if strings.Contains(name, "/") {
			return ssmError(CodeValidation, "Parameter name must be a fully qualified name.")
		}
		if strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm") {
			return ssmError(CodeValidation, "%s", reservedMessage)
		}
		return nil
	}
	first, _, _ := strings.Cut(lower[1:], "/")
	switch {
	case strings.HasPrefix(first, "aws"):
		// AWS publishes its own parameters under /aws/ (AMI ids and the
		// like) and refuses writes there.
		return ssmError(CodeAccessDenied, "No access to reserved parameter name: %s.", name)
	case strings.HasPrefix(first, "ssm"):
		return ssmError(CodeValidation, "%s", badNameMessage)
	case strings.HasSuffix(name, "/") || strings.Contains(name, "//"):
		return ssmError(CodeValidation, "%s", badNameMessage)
	case strings.Count(name, "/") > maxHierarchy:
		return ssmError(CodeHierarchyLevelLimit,
			"A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.")
	}
	return nil
}

// reference is a parsed name as GetParameter accepts it: a name or ARN,
// optionally followed by ":version" or ":label".
type reference struct {
	names    []string // candidate stored names, in the order to try
	version  int64    // 0 when not selected
	label    string
	selector string // ":3", as echoed back in Parameter.Selector
}

// parseReference understands "name", "name:3", "name:label" and the ARN
// forms "arn:aws:ssm:<region>:<account>:parameter/name[:3]". An ARN's
// resource loses the slash before a path name ("parameter/a/b" is
// "/a/b"), so "parameter/x" may be "x" or "/x": both are tried.
func parseReference(ref string) (reference, bool) {
	var r reference
	name := ref
	fromARN := false
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 6)
		if len(parts) != 6 || parts[2] != "ssm" {
			return r, false
		}
		res, ok := strings.CutPrefix(parts[5], "parameter/")
		if !ok {
			return r, false
		}
		name, fromARN = res, true
	}
	if base, sel, ok := strings.Cut(name, ":"); ok {
		if strings.Contains(sel, ":") || sel == "" {
			return r, false
		}
		name, r.selector = base, ":"+sel
		if v, err := strconv.ParseInt(sel, 10, 64); err == nil {
			r.version = v
		} else {
			r.label = sel
		}
	}
	if name == "" {
		return r, false
	}
	switch {
	case !fromARN:
		r.names = []string{name}
	case strings.Contains(name, "/"):
		r.names = []string{"/" + name}
	default:
		r.names = []string{name, "/" + name}
	}
	return r, true
}

// validatePath checks a GetParametersByPath path or a Path filter value.
func validatePath(path string) error {
	ok := strings.HasPrefix(path, "/") && !strings.Contains(path, "//") && len(path) <= maxNameLength
	for i := 0; ok && i < len(path); i++ {
		ok = validNameChar(path[i])
	}
	// Reading under /aws/ is allowed (AWS's public parameters live
	// there); /ssm… is not.
	if first, _, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(path, "/")), "/"); strings.HasPrefix(first, "ssm") {
		ok = false
	}
	if !ok {
		return ssmError(CodeValidation, `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". `+
			`It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). `+
			`Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_. `+
			`Invalid parameter name: %s`, path)
	}
	return nil
}

// underPath reports whether name lies under path: anywhere below it when
// recursive, directly in it otherwise. Names without a leading slash live
// at the root.
func underPath(name, path string, recursive bool) bool {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	dir := strings.TrimSuffix(path, "/") + "/"
	rest, ok := strings.CutPrefix(name, dir)
	if !ok || rest == "" {
		return false
	}
	return recursive || !strings.Contains(rest, "/")
}
