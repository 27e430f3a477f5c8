package apigw

// HTTP API quotas (shared/specs/http-api.md §9.3).
const (
	maxRoutesPerAPI       = 300
	maxIntegrationsPerAPI = 300
	maxStagesPerAPI       = 10
	maxAuthorizersPerAPI  = 10
	maxStageVariables     = 100
	maxStageTags          = 50
	maxScopesPerRoute     = 10
	maxAudiencesPerJWT    = 50
	// maxRequestBody is the payload quota; a bigger body gets 413.
	maxRequestBody = 10 << 20
	// maxRequestLineAndHeaders caps the request line plus headers.
	maxRequestLineAndHeaders = 10240
)
