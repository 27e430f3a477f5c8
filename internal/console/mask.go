package console

import (
	"context"
	"sort"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// Masked replaces a secret's value on every page.
const Masked = "****"

// secretWords mark a variable name as holding a secret. Matching is on
// the upper-cased name, so DB_PASSWORD, apiKey and GithubToken all match;
// showing "****" for a harmless variable costs less than the reverse.
var secretWords = []string{"SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "KEY", "CREDENTIAL", "PRIVATE", "AUTH", "SIGNATURE", "COOKIE", "SESSION", "PWD"}

// IsSecretName reports whether an environment variable's name looks like
// it holds a secret.
func IsSecretName(name string) bool {
	up := strings.ToUpper(name)
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}

// envVar is one environment variable as a page shows it.
type envVar struct {
	Name, Value string
	Masked      bool
}

// maskEnv returns the variables sorted by name, secrets masked.
func maskEnv(vars map[string]string) []envVar {
	out := make([]envVar, 0, len(vars))
	for k, v := range vars {
		e := envVar{Name: k, Value: v}
		if IsSecretName(k) {
			e.Value, e.Masked = Masked, true
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// maskParams returns the stack's parameters with NoEcho values masked,
// as DescribeStacks shows them (spec cloudformation §3.3).
func maskParams(ps []stack.Parameter) []stack.Parameter {
	out := make([]stack.Parameter, len(ps))
	for i, p := range ps {
		if p.NoEcho {
			p.Value, p.ResolvedValue = Masked, ""
		}
		out[i] = p
	}
	return out
}

// maskValues masks the variables whose value holds one of secrets — a
// NoEcho parameter passed on to a function, even inside a longer value
// ("db://app:${Password}@db"), under a name that does not look secret.
func maskValues(env []envVar, secrets []string) []envVar {
	for i, e := range env {
		for _, s := range secrets {
			if s != "" && strings.Contains(e.Value, s) {
				env[i].Value, env[i].Masked = Masked, true
				break
			}
		}
	}
	return env
}

// noEchoValues are the values of every stack's NoEcho parameters: the
// console shows none of them anywhere (issue 8).
func (c *Console) noEchoValues(ctx context.Context) []string {
	all, err := c.cfg.Stacks.ListStacks(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, st := range all {
		for _, p := range st.Parameters {
			if p.NoEcho {
				out = append(out, p.Value, p.ResolvedValue)
			}
		}
	}
	return out
}
