package awsapi

import (
	"net/http"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// Concurrency, Event invocation settings, account settings and tags.

func (h *Handler) lambdaPutConcurrency(c *call, rt lambdaRoute) error {
	var b struct{ ReservedConcurrentExecutions *int }
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.ReservedConcurrentExecutions == nil {
		return awserr.New("ValidationException", "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null")
	}
	out, err := h.cfg.Lambda.PutFunctionConcurrency(c.ctx(), rt.function, *b.ReservedConcurrentExecutions)
	return reply(c, http.StatusOK, out, err)
}

// lambdaGetConcurrency answers {} for a function without a reservation,
// as AWS does.
func (h *Handler) lambdaGetConcurrency(c *call, rt lambdaRoute) error {
	out, err := h.cfg.Lambda.GetFunctionConcurrency(c.ctx(), rt.function)
	if err != nil {
		return err
	}
	if out == nil {
		return reply(c, http.StatusOK, struct{}{}, nil)
	}
	return reply(c, http.StatusOK, out, nil)
}

func (h *Handler) lambdaDeleteConcurrency(c *call, rt lambdaRoute) error {
	return reply(c, http.StatusNoContent, nil, h.cfg.Lambda.DeleteFunctionConcurrency(c.ctx(), rt.function))
}

func (h *Handler) lambdaAccountSettings(c *call, _ lambdaRoute) error {
	out, err := h.cfg.Lambda.GetAccountSettings(c.ctx())
	return reply(c, http.StatusOK, out, err)
}

// eventInvokeConfigWire is FunctionEventInvokeConfig on the wire; only
// LastModified differs from the service's shape: REST-JSON's default
// timestamp format, seconds since the epoch as a JSON number.
type eventInvokeConfigWire struct {
	LastModified             float64                  `json:"LastModified"`
	FunctionArn              string                   `json:"FunctionArn"`
	MaximumRetryAttempts     *int                     `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int                     `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        lambda.DestinationConfig `json:"DestinationConfig"`
}

func eventInvokeConfigOf(e *lambda.EventInvokeConfig) eventInvokeConfigWire {
	return eventInvokeConfigWire{LastModified: epochSeconds(e.LastModified), FunctionArn: e.FunctionArn,
		MaximumRetryAttempts: e.MaximumRetryAttempts, MaximumEventAgeInSeconds: e.MaximumEventAgeInSeconds,
		DestinationConfig: e.DestinationConfig}
}

func (h *Handler) eventInvokeConfigInput(c *call, rt lambdaRoute) (lambda.EventInvokeConfigInput, error) {
	var b struct {
		MaximumRetryAttempts     *int
		MaximumEventAgeInSeconds *int
		DestinationConfig        *lambda.DestinationConfig
	}
	err := decodeJSON(c, &b)
	return lambda.EventInvokeConfigInput{FunctionName: rt.function, Qualifier: c.r.URL.Query().Get("Qualifier"),
		MaximumRetryAttempts: b.MaximumRetryAttempts, MaximumEventAgeInSeconds: b.MaximumEventAgeInSeconds,
		DestinationConfig: b.DestinationConfig}, err
}

func (h *Handler) lambdaPutEventInvokeConfig(c *call, rt lambdaRoute) error {
	in, err := h.eventInvokeConfigInput(c, rt)
	if err != nil {
		return err
	}
	out, err := h.cfg.Lambda.PutFunctionEventInvokeConfig(c.ctx(), in)
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, eventInvokeConfigOf(out), nil)
}

func (h *Handler) lambdaUpdateEventInvokeConfig(c *call, rt lambdaRoute) error {
	in, err := h.eventInvokeConfigInput(c, rt)
	if err != nil {
		return err
	}
	out, err := h.cfg.Lambda.UpdateFunctionEventInvokeConfig(c.ctx(), in)
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, eventInvokeConfigOf(out), nil)
}

func (h *Handler) lambdaGetEventInvokeConfig(c *call, rt lambdaRoute) error {
	out, err := h.cfg.Lambda.GetFunctionEventInvokeConfig(c.ctx(), rt.function, c.r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, eventInvokeConfigOf(out), nil)
}

func (h *Handler) lambdaDeleteEventInvokeConfig(c *call, rt lambdaRoute) error {
	err := h.cfg.Lambda.DeleteFunctionEventInvokeConfig(c.ctx(), rt.function, c.r.URL.Query().Get("Qualifier"))
	return reply(c, http.StatusNoContent, nil, err)
}

func (h *Handler) lambdaListEventInvokeConfigs(c *call, rt lambdaRoute) error {
	n, err := maxItems(c)
	if err != nil {
		return err
	}
	out, err := h.cfg.Lambda.ListFunctionEventInvokeConfigs(c.ctx(), rt.function, c.r.URL.Query().Get("Marker"), n)
	if err != nil {
		return err
	}
	page := struct {
		FunctionEventInvokeConfigs []eventInvokeConfigWire `json:"FunctionEventInvokeConfigs"`
		NextMarker                 string                  `json:"NextMarker,omitempty"`
	}{FunctionEventInvokeConfigs: []eventInvokeConfigWire{}, NextMarker: out.NextMarker}
	for i := range out.FunctionEventInvokeConfigs {
		page.FunctionEventInvokeConfigs = append(page.FunctionEventInvokeConfigs, eventInvokeConfigOf(&out.FunctionEventInvokeConfigs[i]))
	}
	return reply(c, http.StatusOK, page, nil)
}

// lambdaListTags answers with the tags the function was created with;
// the service keeps them with the function (TagResource and
// UntagResource are not implemented).
func (h *Handler) lambdaListTags(c *call, rt lambdaRoute) error {
	fn, err := h.cfg.Lambda.GetFunction(c.ctx(), rt.id, "")
	if err != nil {
		return err
	}
	tags := fn.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return reply(c, http.StatusOK, map[string]map[string]string{"Tags": tags}, nil)
}
