// Package store is cloudlet's embedded, transactional state: one bbolt
// file in the data directory. Services keep their records here as JSON
// values in named buckets, so a restarted server finds every stack,
// function, API, role and log line it had acknowledged. It is the only
// package that imports bbolt; callers see Tx, keys and JSON values.
//
// Every Update commits (and fsyncs) before it returns: a service that
// acts after Update returned may rely on the record surviving a crash.
package store
