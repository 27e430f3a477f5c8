package store_test

import (
	"errors"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

type rec struct {
	Name string
	N    int
}

func TestPutGetListSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *store.Tx) error {
		for _, r := range []rec{{"b", 2}, {"a", 1}, {"c", 3}} {
			if err := tx.Put("things", "k/"+r.Name, r); err != nil {
				return err
			}
		}
		return tx.Put("other", "k/z", rec{"z", 9})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *store.Tx) error {
		got, err := store.List[rec](tx, "things", "k/")
		if err != nil {
			return err
		}
		if len(got) != 3 || got[0].Name != "a" || got[2].Name != "c" {
			t.Errorf("List = %+v, want a, b, c in key order", got)
		}
		r, ok, err := store.Get[rec](tx, "things", "k/b")
		if err != nil || !ok || r.N != 2 {
			t.Errorf("Get(k/b) = %+v, %v, %v; want {b 2}", r, ok, err)
		}
		if _, ok, _ := store.Get[rec](tx, "things", "k/nope"); ok {
			t.Errorf("Get(k/nope) found a record")
		}
		if _, ok, _ := store.Get[rec](tx, "missing-bucket", "x"); ok {
			t.Errorf("Get on a missing bucket found a record")
		}
		var from []string
		_ = tx.Range("things", "k/", "k/b", func(k string, _ []byte) error { from = append(from, k); return nil })
		if len(from) != 2 || from[0] != "k/b" {
			t.Errorf("Range from k/b = %v, want [k/b k/c]", from)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUpdateErrorRollsBack(t *testing.T) {
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	boom := errors.New("boom")
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.Put("b", "k", rec{"x", 1}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v, want boom", err)
	}
	_ = db.View(func(tx *store.Tx) error {
		if raw := tx.GetRaw("b", "k"); raw != nil {
			t.Errorf("record written by a failed Update is visible: %s", raw)
		}
		return nil
	})
}

func TestSecondOpenIsRefused(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := store.Open(dir); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second Open error = %v, want ErrLocked", err)
	}
}
