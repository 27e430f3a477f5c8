package iam

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/iam/policy"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Store buckets. Roles and customer managed policies are keyed by their
// lower-cased name: IAM names are unique regardless of case.
const (
	bucketRoles    = "iam.roles"
	bucketPolicies = "iam.policies"
	bucketSessions = "iam.sessions"
)

// DefaultAccountID is the account cloudlet pretends to be when none is
// configured.
const DefaultAccountID = "000000000000"

// Config configures a Service.
type Config struct {
	// DB is the store roles, policies and sessions live in. Required.
	DB *store.DB
	// AccountID is the 12-digit account this IAM serves; empty means
	// DefaultAccountID.
	AccountID string
	// Partition is the ARN partition; empty means "aws".
	Partition string
	// Now is the clock for creation dates, session expiry and date
	// conditions; nil means time.Now.
	Now func() time.Time
	// Logger receives denials at debug level; nil discards.
	Logger *slog.Logger
	// MaxDenials is how many recent denials RecentDenials keeps; zero
	// means 100.
	MaxDenials int
}

// Service is IAM for one account. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	account   string
	partition string
	now       func() time.Time
	log       *slog.Logger
	catalog   *catalog

	mu sync.Mutex
	// gen counts writes; a role compiled from a read that started before
	// a write is not cached, so the cache never outlives the store.
	gen       uint64
	roles     map[string]*compiledRole  // by lower-cased role name
	resources map[string]*policy.Policy // resource policies by document text
	sessions  map[string]*sessionRecord // by access key ID
	lastPrune time.Time
	denials   []DeniedDecision // ring buffer
	denialAt  int              // next slot to write
	denialN   int              // slots filled
}

var accountIDRE = regexp.MustCompile(`^\d{12}$`)

// New returns the IAM service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil {
		return nil, errors.New("iam: Config.DB is required")
	}
	s := &Service{
		db:        cfg.DB,
		account:   cfg.AccountID,
		partition: cfg.Partition,
		now:       cfg.Now,
		log:       cfg.Logger,
		roles:     make(map[string]*compiledRole),
		resources: make(map[string]*policy.Policy),
		sessions:  make(map[string]*sessionRecord),
	}
	if s.account == "" {
		s.account = DefaultAccountID
	}
	if !accountIDRE.MatchString(s.account) {
		return nil, fmt.Errorf("iam: account ID %q is not 12 digits", s.account)
	}
	if s.partition == "" {
		s.partition = "aws"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	n := cfg.MaxDenials
	if n <= 0 {
		n = 100
	}
	s.denials = make([]DeniedDecision, n)
	c, err := loadCatalog(s.partition)
	if err != nil {
		return nil, err
	}
	s.catalog = c
	if err := s.pruneSessions(); err != nil {
		return nil, fmt.Errorf("iam: %w", err)
	}
	return s, nil
}

// AccountID is the account this service serves.
func (s *Service) AccountID() string { return s.account }

// changed forgets every compiled document after a write. Writes are rare
// (deploys), reads are every request, so dropping everything is simpler
// than tracking which roles a managed policy reaches and costs nothing
// that matters.
func (s *Service) changed() {
	s.mu.Lock()
	s.gen++
	clear(s.roles)
	s.mu.Unlock()
}

// timestamp is the service clock at IAM's one-second precision.
func (s *Service) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Second)
}
