package awsapi

func (h *Handler) serveIAM(c *call) error          { return notImplemented(c, operationGuess(c.r)) }
func (h *Handler) serveSTS(c *call) error          { return notImplemented(c, operationGuess(c.r)) }
func (h *Handler) serveAPIGatewayV2(c *call) error { return notImplemented(c, operationGuess(c.r)) }
