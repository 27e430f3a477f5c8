package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// limiter counts in-flight invocations per function and for the account,
// and hands out leases the way Lambda's concurrency model does (spec
// lambda §9): a function with reserved concurrency may run that many and
// no more, whatever the others do; the functions without share what the
// reservations leave of the account limit, each capped at fnCap.
type limiter struct {
	account, fnCap int

	mu          sync.Mutex
	reserved    map[string]int // functions with reserved concurrency
	reservedSum int
	running     map[string]*usage
	unreserved  int // in flight in functions without a reservation
	total, peak int
}

// usage is one function's in-flight count and its peak.
type usage struct{ now, peak int }

// lease is one admitted invocation; release returns it.
type lease struct {
	name     string
	reserved bool
}

func newLimiter(account, fnCap int) *limiter {
	return &limiter{account: account, fnCap: fnCap, reserved: map[string]int{}, running: map[string]*usage{}}
}

// setReserved records a function's reservation (nil: none).
func (l *limiter) setReserved(name string, n *int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reservedSum -= l.reserved[name]
	delete(l.reserved, name)
	if n != nil {
		l.reserved[name] = *n
		l.reservedSum += *n
	}
}

// acquire admits one invocation of name or refuses it with the 429 the
// caller should see.
func (l *limiter) acquire(name string) (lease, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.running[name]
	if u == nil {
		u = &usage{}
		l.running[name] = u
	}
	r, isReserved := l.reserved[name]
	switch {
	case isReserved && u.now >= r:
		return lease{}, throttled(ReasonReservedLimit)
	case !isReserved && (l.unreserved >= l.account-l.reservedSum || u.now >= l.fnCap):
		return lease{}, throttled(ReasonAccountLimit)
	}
	u.now++
	u.peak = max(u.peak, u.now)
	if !isReserved {
		l.unreserved++
	}
	l.total++
	l.peak = max(l.peak, l.total)
	return lease{name: name, reserved: isReserved}, nil
}

func (l *limiter) release(ls lease) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if u := l.running[ls.name]; u != nil && u.now > 0 {
		u.now--
	}
	if !ls.reserved {
		l.unreserved--
	}
	l.total--
}

// usageOf returns a function's in-flight count and peak.
func (l *limiter) usageOf(name string) usage {
	l.mu.Lock()
	defer l.mu.Unlock()
	if u := l.running[name]; u != nil {
		return *u
	}
	return usage{}
}

// minUnreserved is the floor reservations must leave: 100, or the whole
// account limit when that is smaller (AWS reports [10] on accounts
// limited to 10).
func (s *Service) minUnreserved() int {
	return min(MinUnreservedConcurrency, s.cfg.AccountConcurrency)
}

// checkReservation refuses a reservation of n for name that would leave
// less than the floor unreserved, counting every other function's
// reservation as the store has it now.
func (s *Service) checkReservation(tx *store.Tx, name string, n *int) error {
	if n == nil {
		return nil
	}
	others := 0
	err := tx.ForEach(bucketFunctions, "", func(key string, raw []byte) error {
		if key == name {
			return nil
		}
		var r struct{ Reserved *int }
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("load function %s: %w", key, err)
		}
		if r.Reserved != nil {
			others += *r.Reserved
		}
		return nil
	})
	if err != nil {
		return err
	}
	if s.cfg.AccountConcurrency-others-*n < s.minUnreserved() {
		return invalid("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", s.minUnreserved())
	}
	return nil
}

// PutFunctionConcurrency reserves n concurrent executions for the
// function (all its versions together). Zero throttles every invocation.
func (s *Service) PutFunctionConcurrency(ctx context.Context, functionName string, n int) (*Concurrency, error) {
	name, qualifier, err := splitName(functionName, "")
	if err != nil {
		return nil, err
	}
	if qualifier != "" {
		return nil, invalid("This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.")
	}
	if n < 0 {
		return nil, validation("reservedConcurrentExecutions", fmt.Sprint(n), "Member must have value greater than or equal to 0")
	}
	_, err = s.updateTx(name, func(tx *store.Tx, fn *function) error {
		if err := s.checkReservation(tx, name, &n); err != nil {
			return err
		}
		fn.Reserved = &n
		return nil
	})
	if err != nil {
		return nil, s.concurrencyNotFound(err, name)
	}
	return &Concurrency{ReservedConcurrentExecutions: n}, nil
}

// GetFunctionConcurrency returns the function's reservation, or nil when
// it has none (AWS answers an empty object).
func (s *Service) GetFunctionConcurrency(ctx context.Context, functionName string) (*Concurrency, error) {
	fn, err := s.load(nameOf(functionName))
	if err != nil {
		return nil, s.notFoundUnqualified(nameOf(functionName))
	}
	if fn.Reserved == nil {
		return nil, nil
	}
	return &Concurrency{ReservedConcurrentExecutions: *fn.Reserved}, nil
}

// DeleteFunctionConcurrency removes the function's reservation: it goes
// back to sharing the account's unreserved pool.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, functionName string) error {
	name := nameOf(functionName)
	_, err := s.update(name, func(fn *function) error {
		fn.Reserved = nil
		return nil
	})
	return s.concurrencyNotFound(err, name)
}

// concurrencyNotFound gives the concurrency operations' missing-function
// message, which names $LATEST.
func (s *Service) concurrencyNotFound(err error, name string) error {
	if isNotFound(err) {
		return s.notFound(name, "")
	}
	return err
}

// AccountSettings is GetAccountSettings' answer, limited to what cloudlet
// keeps.
type AccountSettings struct {
	AccountLimit AccountLimit `json:"AccountLimit"`
	AccountUsage AccountUsage `json:"AccountUsage"`
}

// AccountLimit holds the account's limits.
type AccountLimit struct {
	TotalCodeSize                  int64 `json:"TotalCodeSize"`
	CodeSizeUnzipped               int64 `json:"CodeSizeUnzipped"`
	CodeSizeZipped                 int64 `json:"CodeSizeZipped"`
	ConcurrentExecutions           int   `json:"ConcurrentExecutions"`
	UnreservedConcurrentExecutions int   `json:"UnreservedConcurrentExecutions"`
}

// AccountUsage counts the account's functions and code.
type AccountUsage struct {
	TotalCodeSize int64 `json:"TotalCodeSize"`
	FunctionCount int64 `json:"FunctionCount"`
}

// GetAccountSettings reports the concurrency limit, what reservations
// leave of it, and how many functions and how much code there are.
func (s *Service) GetAccountSettings(ctx context.Context) (*AccountSettings, error) {
	out := &AccountSettings{AccountLimit: AccountLimit{
		TotalCodeSize: 80530636800, CodeSizeUnzipped: MaxUnzippedSize, CodeSizeZipped: 52428800,
		ConcurrentExecutions: s.cfg.AccountConcurrency,
	}}
	reserved := 0
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		return tx.ForEach(bucketFunctions, "", func(key string, raw []byte) error {
			var r struct {
				Reserved *int
				Config   struct{ CodeSize int64 }
				Versions []struct{ Config struct{ CodeSize int64 } }
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("load function %s: %w", key, err)
			}
			out.AccountUsage.FunctionCount++
			out.AccountUsage.TotalCodeSize += r.Config.CodeSize
			for _, v := range r.Versions {
				out.AccountUsage.TotalCodeSize += v.Config.CodeSize
			}
			if r.Reserved != nil {
				reserved += *r.Reserved
			}
			return nil
		})
	})
	out.AccountLimit.UnreservedConcurrentExecutions = s.cfg.AccountConcurrency - reserved
	return out, err
}
