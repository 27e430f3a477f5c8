// Package testkit holds helpers that tests in several packages share: where
// the seed tutorial's templates are, and a real platform started on a free
// loopback port with its data in a temporary folder. Only tests import it
// (internal/archtest checks that the binary does not link it).
package testkit
