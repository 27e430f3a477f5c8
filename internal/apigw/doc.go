// Package apigw is cloudlet's Amazon API Gateway v2 for HTTP APIs: the
// model (APIs, routes, integrations, stages, deployments, authorizers)
// kept in the store, and the data plane that serves execute-api requests
// by invoking Lambda functions. The CloudFormation providers and the
// apigatewayv2 wire adapter both call the Service methods; the edge hands
// requests to ServeAPI. Behaviour follows shared/specs/http-api.md; §
// references below are to it.
//
// # Model and deployments
//
// Every record is JSON in the store, so a new Service on the same store
// serves what the old one did. A deployment freezes the API's routes,
// integrations, authorizers and CORS configuration; a stage serves the
// deployment it points to, and changes go live only when deployed. An
// AutoDeploy stage gets a new deployment (autoDeployed, with AWS's
// description and lastDeploymentStatusMessage) on exactly the calls §2
// lists — UpdateApi, CreateRoute, UpdateRoute, DeleteRoute,
// UpdateIntegration, UpdateAuthorizer — and on DeleteCorsConfiguration;
// not on CreateIntegration, DeleteIntegration or CreateAuthorizer. AWS
// makes the first deployment of a new AutoDeploy stage asynchronously;
// cloudlet makes it before CreateStage returns. Stage variables and route
// settings belong to the stage and apply at once.
//
// # Data plane
//
// Each change recompiles the API's deployed stages into immutable route
// tables (package route) and swaps them in with one atomic pointer; a
// request does one pointer load and a tree walk, no store access. The
// path picks the stage (a first segment naming a stage, else $default),
// the router picks the route, and an AWS_PROXY integration becomes a
// payload 2.0 or 1.0 event (package payload) for the Invoker. The result
// is mapped back to HTTP; function errors and invalid results are 500
// {"message":"Internal Server Error"}, an invoke refused is 500, and the
// integration timeout (timeoutInMillis) is 503 {"message":"Service
// Unavailable"}. HTTP_PROXY integrations pass the request through to
// their URL (§10). Every answer has apigw-requestid and date headers.
//
// Around the integration, in order: CORS preflights are answered before
// routing (§7); the account bucket (10,000/s, burst 5,000) and the
// route's bucket from the stage's route settings throttle with 429 (§2);
// the authorizer seam runs; requestParameters rewrite the request and
// responseParameters the response (§9); the gateway's CORS headers
// replace the integration's. After the response, the stage's access log
// line goes to the AccessLogSink and the route's counters (Metrics) are
// updated.
//
// # Authorizers
//
// Between route match and invoke, a route's authorizationType decides
// (§8); routes without one pay a single comparison.
//
// JWT routes verify the bearer token with package jwtauth (keys from the
// issuer's OpenID discovery, RSA only, cached): a missing or invalid
// token is 401 {"message":"Unauthorized"} with www-authenticate: Bearer
// scope="" error="invalid_token" error_description="…", a token without
// one of the route's scopes 403 {"message":"Forbidden"}. The claims reach
// the integration stringified, with scopes null on routes without
// authorizationScopes.
//
// CUSTOM routes invoke a Lambda REQUEST authorizer through the same
// Invoker as integrations, with SourceArn
// arn:aws:execute-api:{region}:{acct}:{apiId}/authorizers/{authorizerId}
// or the authorizer's credentials role, within 10 s. A missing or empty
// identity source is 401 without invoking; isAuthorized false, an IAM
// policy without a matching Allow, or an explicit Deny is 403; a function
// error, an invalid answer or a refused invoke is 500. Answers are cached
// for authorizerResultTtlInSeconds, keyed on the identity values, per
// stage and deployment; ResetAuthorizersCache clears a stage. The
// context reaches a 2.0 integration as requestContext.authorizer.lambda
// (JSON types kept; principalId added for policy answers) and a 1.0 one
// flattened into requestContext.authorizer as strings beside principalId.
//
// AWS_IAM routes read the body first (the signature covers it) and ask
// the IAMAuthenticator to verify SigV4 for execute-api and to authorize
// execute-api:Invoke on arn:aws:execute-api:{region}:{acct}:{apiId}/{stage}/{METHOD}/{path};
// any failure is 403 {"message":"Forbidden"}. The caller reaches 2.0 as
// requestContext.authorizer.iam and 1.0 as requestContext.identity.
//
// Choices where AWS is silent: only the audience error_description is
// AWS's own text; a token without exp is refused; the routeArn/methodArn
// of the authorizer event carries the request's path (the $default route:
// {stage}/$default); a policy answer cached for one route is evaluated
// afresh against the next route's ARN; a context using the reserved key
// claims is 500; 1.0's requestContext.authorizer on AWS_IAM routes keeps
// its null claims and scopes.
//
// # OpenAPI
//
// ImportAPI and ReimportAPI (and so CloudFormation's Api Body, which SAM
// emits) read OpenAPI 3 JSON with API Gateway's extensions; see
// openapi.go for the fields understood. YAML must be converted by the
// caller.
//
// # Choices where AWS is silent (§13)
//
//   - A trailing slash does not match ("/pets/" is not "GET /pets");
//     Config.TrailingSlash changes that.
//   - 2.0's rawPath and 1.0's path keep the /{stage} prefix of a named
//     stage and any repeated slashes; routing sees neither.
//   - requestContext.domainName is the Host header when it has the form
//     {apiId}.execute-api.*, port included, else
//     {apiId}.execute-api.localhost; domainPrefix is the API ID.
//   - x-forwarded-proto and x-forwarded-port tell the truth about the
//     local connection (http, the listener's port) instead of AWS's
//     https/443, so functions that build URLs from them work locally.
//   - A stage that exists without a deployment answers 404.
//   - DeleteIntegration of an integration a route targets, and
//     DeleteAuthorizer of one a route uses, are refused (409).
//   - A request body over 10 MB gets 413 {"message":"Request Entity Too
//     Large"}; a request line plus headers over 10240 bytes gets 431
//     {"message":"Request Header Fields Too Large"}.
//   - An HTTP_PROXY backend that cannot be reached, or whose URI does not
//     resolve (a missing stage variable), gives 500; its timeout 503.
//     Backend redirects are passed to the client, not followed.
//   - CORS: origins match case-insensitively; a preflight whose method or
//     headers are not allowed gets 204 without CORS headers; without
//     allowMethods only GET, HEAD and POST are allowed; gateway errors
//     carry the CORS headers too.
//   - Route buckets apply per route, with routeSettings[routeKey] over
//     defaultRouteSettings; a bucket keeps its tokens across changes that
//     do not alter its limits.
//   - Access log lines go to the log group of destinationArn, stream
//     {apiId}_{stage}; a variable without a value prints "-".
//   - A function that Lambda throttles (429 TooManyRequestsException)
//     gives the client 500 {"message":"Internal Server Error"} (§6, §13.5:
//     "500 is likely"), like any invoke Lambda refuses; no Retry-After.
//   - Authorizer choices are listed under Authorizers above.
//   - WEBSOCKET APIs, AWS service integrations (integrationSubtype) and
//     VPC links are refused with 501 NotImplemented naming the property.
package apigw
