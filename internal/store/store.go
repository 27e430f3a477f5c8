package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the name of the store file inside the data directory.
const FileName = "cloudlet.db"

// ErrLocked is returned by Open when another process holds the store.
var ErrLocked = errors.New("store is in use by another cloudlet process")

// DB is an open store. It is safe for concurrent use.
type DB struct {
	b    *bolt.DB
	path string
}

// Open opens (creating if needed) the store in dataDir.
func Open(dataDir string) (*DB, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	path := filepath.Join(dataDir, FileName)
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return &DB{b: b, path: path}, nil
}

// Path is the file the store lives in.
func (db *DB) Path() string { return db.path }

// Close closes the store; pending transactions finish first.
func (db *DB) Close() error { return db.b.Close() }

// Update runs fn in a read-write transaction and commits it durably when
// fn returns nil.
func (db *DB) Update(fn func(*Tx) error) error {
	return db.b.Update(func(t *bolt.Tx) error { return fn(&Tx{t: t}) })
}

// View runs fn in a read-only transaction.
func (db *DB) View(fn func(*Tx) error) error {
	return db.b.View(func(t *bolt.Tx) error { return fn(&Tx{t: t}) })
}

// Tx is a transaction. It must not be used after its function returns.
type Tx struct{ t *bolt.Tx }

func (tx *Tx) bucket(name string, create bool) (*bolt.Bucket, error) {
	if b := tx.t.Bucket([]byte(name)); b != nil || !create {
		return b, nil
	}
	b, err := tx.t.CreateBucket([]byte(name))
	if err != nil {
		return nil, fmt.Errorf("create bucket %s: %w", name, err)
	}
	return b, nil
}

// Put stores v as JSON under key in bucket.
func (tx *Tx) Put(bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store %s/%s: %w", bucket, key, err)
	}
	return tx.PutRaw(bucket, key, raw)
}

// PutRaw stores raw bytes under key in bucket.
func (tx *Tx) PutRaw(bucket, key string, raw []byte) error {
	b, err := tx.bucket(bucket, true)
	if err != nil {
		return err
	}
	if err := b.Put([]byte(key), raw); err != nil {
		return fmt.Errorf("store %s/%s: %w", bucket, key, err)
	}
	return nil
}

// Get decodes the JSON value under key into v and reports whether it
// existed.
func (tx *Tx) Get(bucket, key string, v any) (bool, error) {
	raw := tx.GetRaw(bucket, key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("load %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// GetRaw returns the bytes under key, or nil. The slice is only valid
// during the transaction.
func (tx *Tx) GetRaw(bucket, key string) []byte {
	b, _ := tx.bucket(bucket, false)
	if b == nil {
		return nil
	}
	return b.Get([]byte(key))
}

// Delete removes key from bucket; a missing key is not an error.
func (tx *Tx) Delete(bucket, key string) error {
	b, _ := tx.bucket(bucket, false)
	if b == nil {
		return nil
	}
	return b.Delete([]byte(key))
}

// ForEach calls fn for every key with the given prefix, in key order. The
// value slice is only valid during the call. A non-nil error from fn
// stops the walk and is returned.
func (tx *Tx) ForEach(bucket, prefix string, fn func(key string, raw []byte) error) error {
	return tx.Range(bucket, prefix, "", fn)
}

// Range is ForEach starting at the first key >= from (from may be empty).
func (tx *Tx) Range(bucket, prefix, from string, fn func(key string, raw []byte) error) error {
	b, _ := tx.bucket(bucket, false)
	if b == nil {
		return nil
	}
	start := []byte(prefix)
	if from > prefix {
		start = []byte(from)
	}
	c := b.Cursor()
	p := []byte(prefix)
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			return err
		}
	}
	return nil
}

// NextSequence returns a new, increasing integer for bucket.
func (tx *Tx) NextSequence(bucket string) (uint64, error) {
	b, err := tx.bucket(bucket, true)
	if err != nil {
		return 0, err
	}
	return b.NextSequence()
}

// Get loads one JSON record into a new T.
func Get[T any](tx *Tx, bucket, key string) (T, bool, error) {
	var v T
	ok, err := tx.Get(bucket, key, &v)
	return v, ok, err
}

// List loads every JSON record whose key has the given prefix, in key
// order.
func List[T any](tx *Tx, bucket, prefix string) ([]T, error) {
	var out []T
	err := tx.ForEach(bucket, prefix, func(key string, raw []byte) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("load %s/%s: %w", bucket, key, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}
