// Package logs is cloudlet's CloudWatch Logs: log groups, log streams and
// the events in them, with AWS's names, limits, error codes and paging
// tokens, so that `aws logs get-log-events`, `filter-log-events` and
// `tail` work against it unchanged.
//
// # Storage
//
// Groups, streams and events live in the store. Each event is one record
// whose key sorts by group, then stream, then (timestamp, ingestion
// sequence), so reading a page of a stream is one ordered cursor walk
// however many events the stream holds. The ingestion sequence is global
// and increasing, which makes (timestamp, sequence) a total order across
// streams too: FilterLogEvents merges streams by it and GetLogEvents
// tokens ("f/…", "b/…") encode a position in it.
//
// # Two ways in
//
// PutLogEvents is the API path: it validates the batch as AWS does and
// returns only after the events are durable. Append is the Lambda sink:
// function output must never wait for a disk, so Append only copies the
// events into memory and a background flusher writes them in batches
// (every Config.FlushInterval, or sooner when the buffer grows), creating
// the group and stream on first write as Lambda does. Shutdown flushes
// whatever is buffered; events appended after Shutdown are dropped with a
// warning.
//
// Subscribe is the live tail behind `cloudlet up`: subscribers see events
// as they are appended or put, before they reach the store. A subscriber
// that does not keep up loses events rather than slowing the producer.
//
// # Retention
//
// RetentionInDays is checked against AWS's list of allowed values. As in
// AWS, expired events are not hidden from reads; a periodic cleanup pass
// (ExpireEvents) deletes them.
package logs
