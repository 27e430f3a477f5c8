package awsapi

func (h *Handler) serveAPIGatewayV2(c *call) error { return notImplemented(c, operationGuess(c.r)) }
