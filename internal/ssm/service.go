package ssm

import (
	"encoding/base64"
	"errors"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Store buckets.
//
//	ssm.params   <name>                      record (the current version)
//	ssm.history  <name> NUL <version, 20 digits>  version
//
// Names cannot contain NUL (validateName allows only [a-zA-Z0-9_.\-/]).
const (
	bucketParams  = "ssm.params"
	bucketHistory = "ssm.history"
)

// Parameter types.
const (
	TypeString       = "String"
	TypeStringList   = "StringList"
	TypeSecureString = "SecureString"
)

// Tiers.
const (
	TierStandard           = "Standard"
	TierAdvanced           = "Advanced"
	TierIntelligentTiering = "Intelligent-Tiering"
)

// Limits from the Parameter Store documentation.
const (
	maxStandardValue = 4096
	maxAdvancedValue = 8192
	maxVersions      = 100
	defaultKeyID     = "alias/aws/ssm"
)

// Defaults for the zero values of Config.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "000000000000"
)

// Config configures a Service.
type Config struct {
	// DB is the store; required.
	DB *store.DB
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Region and AccountID go into ARNs; empty means DefaultRegion and
	// DefaultAccountID.
	Region    string
	AccountID string
}

// Service is the parameter store. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	now       func() time.Time
	region    string
	accountID string
}

// New builds a Service.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil {
		return nil, errors.New("ssm: Config.DB is required")
	}
	s := &Service{db: cfg.DB, now: cfg.Now, region: cfg.Region, accountID: cfg.AccountID}
	if s.now == nil {
		s.now = time.Now
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.accountID == "" {
		s.accountID = DefaultAccountID
	}
	return s, nil
}

// arn is the parameter's ARN: AWS drops the slash of a path name after
// "parameter" ("parameter/a/b" for "/a/b").
func (s *Service) arn(name string) string {
	res := "parameter/" + name
	if name != "" && name[0] == '/' {
		res = "parameter" + name
	}
	return "arn:aws:ssm:" + s.region + ":" + s.accountID + ":" + res
}

// version is one version of a parameter, as stored.
type version struct {
	Name             string    `json:"Name"`
	Type             string    `json:"Type"`
	Value            string    `json:"Value"`
	Version          int64     `json:"Version"`
	LastModifiedDate time.Time `json:"LastModifiedDate"`
	LastModifiedUser string    `json:"LastModifiedUser"`
	Description      string    `json:"Description,omitempty"`
	AllowedPattern   string    `json:"AllowedPattern,omitempty"`
	KeyID            string    `json:"KeyId,omitempty"`
	Tier             string    `json:"Tier"`
	DataType         string    `json:"DataType"`
}

// record is a parameter's current version and its tags.
type record struct {
	version
	Tags map[string]string `json:"Tags,omitempty"`
}

// Parameter is a parameter with its value, as GetParameter returns it.
type Parameter struct {
	Name             string    `json:"Name"`
	Type             string    `json:"Type"`
	Value            string    `json:"Value"`
	Version          int64     `json:"Version"`
	LastModifiedDate time.Time `json:"LastModifiedDate"`
	ARN              string    `json:"ARN"`
	DataType         string    `json:"DataType"`
	// Selector is the ":version" suffix the caller asked for, if any.
	Selector string `json:"Selector,omitempty"`
}

func (s *Service) parameter(v version, withDecryption bool, selector string) Parameter {
	return Parameter{
		Name:             v.Name,
		Type:             v.Type,
		Value:            shownValue(v, withDecryption),
		Version:          v.Version,
		LastModifiedDate: v.LastModifiedDate,
		ARN:              s.arn(v.Name),
		DataType:         v.DataType,
		Selector:         selector,
	}
}

// shownValue is the value a reader sees: a SecureString read without
// WithDecryption shows an opaque token where AWS shows KMS ciphertext.
// It is not encryption (see the package documentation).
func shownValue(v version, withDecryption bool) string {
	if v.Type != TypeSecureString || withDecryption {
		return v.Value
	}
	return base64.StdEncoding.EncodeToString([]byte("cloudlet-kms:" + v.KeyID + ":" + v.Value))
}
