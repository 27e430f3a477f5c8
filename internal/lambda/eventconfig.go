package lambda

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EventInvokeConfig are the settings of Event invocations of one
// qualifier: how often and how long to retry, and where records of the
// outcome go (spec lambda §9).
type EventInvokeConfig struct {
	FunctionArn string `json:"FunctionArn"`
	// MaximumRetryAttempts is 0–2; nil means 2.
	MaximumRetryAttempts *int `json:"MaximumRetryAttempts,omitempty"`
	// MaximumEventAgeInSeconds is 60–21600; nil means 21600 (6 hours).
	MaximumEventAgeInSeconds *int              `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        DestinationConfig `json:"DestinationConfig"`
	// LastModified is rendered by the wire adapter (epoch seconds).
	LastModified time.Time `json:"LastModified"`
}

// DestinationConfig names where invocation records go.
type DestinationConfig struct {
	OnSuccess OnDestination `json:"OnSuccess"`
	OnFailure OnDestination `json:"OnFailure"`
}

// OnDestination is one destination ARN; "" means none.
type OnDestination struct {
	Destination string `json:"Destination,omitempty"`
}

// EventInvokeConfigInput is a Put/UpdateFunctionEventInvokeConfig
// request; nil fields are unset (Put) or unchanged (Update).
type EventInvokeConfigInput struct {
	FunctionName, Qualifier  string
	MaximumRetryAttempts     *int
	MaximumEventAgeInSeconds *int
	DestinationConfig        *DestinationConfig
}

const defaultMaxEventAge = 21600

var destinationRE = regexp.MustCompile(`^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$`)

// PutFunctionEventInvokeConfig replaces the Event invocation settings of
// a function, version or alias.
func (s *Service) PutFunctionEventInvokeConfig(ctx context.Context, in EventInvokeConfigInput) (*EventInvokeConfig, error) {
	return s.putEventConfig(in, false)
}

// UpdateFunctionEventInvokeConfig changes only the settings given.
func (s *Service) UpdateFunctionEventInvokeConfig(ctx context.Context, in EventInvokeConfigInput) (*EventInvokeConfig, error) {
	return s.putEventConfig(in, true)
}

func (s *Service) putEventConfig(in EventInvokeConfigInput, merge bool) (*EventInvokeConfig, error) {
	if in.MaximumRetryAttempts == nil && in.MaximumEventAgeInSeconds == nil && in.DestinationConfig == nil {
		return nil, invalid("You must specify at least one of error handling or destination setting.")
	}
	if n := in.MaximumRetryAttempts; n != nil && (*n < 0 || *n > 2) {
		return nil, validation("maximumRetryAttempts", fmt.Sprint(*n), "Member must have value "+bound(*n, 0, 2))
	}
	if n := in.MaximumEventAgeInSeconds; n != nil && (*n < 60 || *n > 21600) {
		return nil, validation("maximumEventAgeInSeconds", fmt.Sprint(*n), "Member must have value "+bound(*n, 60, 21600))
	}
	name, qualifier, err := splitName(in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if qualifier == "" {
		qualifier = "$LATEST"
	}
	if _, err := s.load(name); err != nil {
		return nil, resourceNotFound("The function doesn't exist.")
	}
	var out EventInvokeConfig
	_, err = s.update(name, func(fn *function) error {
		if !hasQualifier(fn, qualifier) {
			return resourceNotFound("The function doesn't exist.")
		}
		if in.DestinationConfig != nil {
			if err := s.checkDestinations(name, *in.DestinationConfig); err != nil {
				return err
			}
		}
		c, ok := fn.EventConfigs[qualifier]
		if merge && !ok {
			return s.noEventConfig(name, qualifier)
		}
		if !merge {
			c = EventInvokeConfig{}
		}
		c.FunctionArn = s.qualifiedARN(name, qualifier)
		if in.MaximumRetryAttempts != nil || !merge {
			c.MaximumRetryAttempts = in.MaximumRetryAttempts
		}
		if in.MaximumEventAgeInSeconds != nil || !merge {
			c.MaximumEventAgeInSeconds = in.MaximumEventAgeInSeconds
		}
		if in.DestinationConfig != nil {
			c.DestinationConfig = *in.DestinationConfig
		}
		c.LastModified = s.now().UTC()
		if fn.EventConfigs == nil {
			fn.EventConfigs = map[string]EventInvokeConfig{}
		}
		fn.EventConfigs[qualifier] = c
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func bound(n, lo, hi int) string {
	if n < lo {
		return fmt.Sprintf("greater than or equal to %d", lo)
	}
	return fmt.Sprintf("less than or equal to %d", hi)
}

func hasQualifier(fn *function, q string) bool {
	if q == "$LATEST" {
		return true
	}
	if _, ok := fn.version(q); ok {
		return true
	}
	_, ok := fn.Aliases[q]
	return ok
}

// checkDestinations accepts SQS, SNS, EventBridge, S3 and Lambda
// destinations; a Lambda one must exist and not be the function itself.
func (s *Service) checkDestinations(name string, dc DestinationConfig) error {
	bad := false
	for _, d := range []string{dc.OnSuccess.Destination, dc.OnFailure.Destination} {
		if d == "" {
			continue
		}
		if !destinationRE.MatchString(d) {
			return validation("destinationConfig.onFailure.destination", d, `Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)`)
		}
		switch strings.Split(d, ":")[2] {
		case "lambda":
			target := nameOf(d)
			if target == name {
				return invalid("You can't specify the function as a destination for itself.")
			}
			if _, err := s.load(target); err != nil {
				return invalid("The destination ARN %s is invalid.", d)
			}
		case "sqs", "sns", "events", "s3":
		default:
			bad = true
		}
	}
	if bad {
		part := func(kind, d string) string {
			if d == "" {
				return "null"
			}
			return kind + "(destination=" + d + ")"
		}
		return invalid("The provided destination config DestinationConfig(onSuccess=%s, onFailure=%s) is invalid.",
			part("OnSuccess", dc.OnSuccess.Destination), part("OnFailure", dc.OnFailure.Destination))
	}
	return nil
}

func (s *Service) noEventConfig(name, qualifier string) error {
	return resourceNotFound("The function %s doesn't have an EventInvokeConfig", s.qualifiedARN(name, qualifier))
}

// GetFunctionEventInvokeConfig returns a qualifier's Event settings.
func (s *Service) GetFunctionEventInvokeConfig(ctx context.Context, functionName, qualifier string) (*EventInvokeConfig, error) {
	name, qualifier, err := splitName(functionName, qualifier)
	if err != nil {
		return nil, err
	}
	if qualifier == "" {
		qualifier = "$LATEST"
	}
	fn, err := s.load(name)
	if err != nil {
		return nil, s.noEventConfig(name, qualifier)
	}
	c, ok := fn.EventConfigs[qualifier]
	if !ok {
		return nil, s.noEventConfig(name, qualifier)
	}
	return &c, nil
}

// DeleteFunctionEventInvokeConfig removes a qualifier's Event settings.
func (s *Service) DeleteFunctionEventInvokeConfig(ctx context.Context, functionName, qualifier string) error {
	name, qualifier, err := splitName(functionName, qualifier)
	if err != nil {
		return err
	}
	if qualifier == "" {
		qualifier = "$LATEST"
	}
	_, err = s.update(name, func(fn *function) error {
		if _, ok := fn.EventConfigs[qualifier]; !ok {
			return s.noEventConfig(name, qualifier)
		}
		delete(fn.EventConfigs, qualifier)
		return nil
	})
	if err != nil && isNotFound(err) {
		return s.noEventConfig(name, qualifier)
	}
	return err
}

// ListEventInvokeConfigsOutput is a page of Event settings.
type ListEventInvokeConfigsOutput struct {
	FunctionEventInvokeConfigs []EventInvokeConfig `json:"FunctionEventInvokeConfigs"`
	NextMarker                 string              `json:"NextMarker,omitempty"`
}

// ListFunctionEventInvokeConfigs lists a function's Event settings.
func (s *Service) ListFunctionEventInvokeConfigs(ctx context.Context, functionName, marker string, maxItems int) (*ListEventInvokeConfigsOutput, error) {
	name := nameOf(functionName)
	fn, err := s.load(name)
	if err != nil {
		return nil, resourceNotFound("The function doesn't exist.")
	}
	var all []EventInvokeConfig
	for _, q := range slices.Sorted(maps.Keys(fn.EventConfigs)) {
		all = append(all, fn.EventConfigs[q])
	}
	page, next, err := paginate(all, marker, maxItems, func(c EventInvokeConfig) string { return c.FunctionArn })
	if err != nil {
		return nil, err
	}
	if page == nil {
		page = []EventInvokeConfig{}
	}
	return &ListEventInvokeConfigsOutput{FunctionEventInvokeConfigs: page, NextMarker: next}, nil
}

// eventSettings are the retry limits and destinations an Event
// invocation of qualifier runs with.
func eventSettings(fn *function, qualifier string) (retries int, maxAge time.Duration, dc DestinationConfig) {
	if qualifier == "" {
		qualifier = "$LATEST"
	}
	retries, maxAge = 2, defaultMaxEventAge*time.Second
	c, ok := fn.EventConfigs[qualifier]
	if !ok {
		return retries, maxAge, dc
	}
	if c.MaximumRetryAttempts != nil {
		retries = *c.MaximumRetryAttempts
	}
	if c.MaximumEventAgeInSeconds != nil {
		maxAge = time.Duration(*c.MaximumEventAgeInSeconds) * time.Second
	}
	return retries, maxAge, c.DestinationConfig
}
