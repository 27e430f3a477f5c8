// Package restjson writes the REST-JSON protocol's answers, which Lambda
// and API Gateway v2 speak: a JSON body with the operation's status, and
// errors as the status, an X-Amzn-ErrorType header naming the code and a
// JSON body carrying the message (spec lambda §8.3, http-api §11).
package restjson
