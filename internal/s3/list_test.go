package s3_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/s3"
	"github.com/google/go-cmp/cmp"
)

// listAll pages through ListObjectsV2 and returns every key and common
// prefix in the order the pages gave them, and the number of pages.
func listAll(t *testing.T, svc *s3.Service, in s3.ListInput) (keys, prefixes []string, pages int) {
	t.Helper()
	for {
		out, err := svc.ListObjectsV2(context.Background(), in)
		if err != nil {
			t.Fatalf("ListObjectsV2(%+v): %v", in, err)
		}
		pages++
		for _, o := range out.Contents {
			keys = append(keys, o.Key)
		}
		prefixes = append(prefixes, out.CommonPrefixes...)
		if out.KeyCount != len(out.Contents)+len(out.CommonPrefixes) {
			t.Errorf("KeyCount = %d, want %d", out.KeyCount, len(out.Contents)+len(out.CommonPrefixes))
		}
		if !out.IsTruncated {
			if out.NextContinuationToken != "" {
				t.Errorf("NextContinuationToken %q on the last page", out.NextContinuationToken)
			}
			return keys, prefixes, pages
		}
		if pages > 1000 {
			t.Fatal("listing does not end")
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// reference is the listing S3 defines, computed the obvious way.
func reference(all []string, prefix, delim, startAfter string) (keys, prefixes []string) {
	sorted := slices.Clone(all)
	slices.Sort(sorted)
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) || k <= startAfter {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if len(prefixes) == 0 || prefixes[len(prefixes)-1] != cp {
					prefixes = append(prefixes, cp)
				}
				continue
			}
		}
		keys = append(keys, k)
	}
	return keys, prefixes
}

func TestListObjectsV2(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "bkt")
	all := []string{
		"a", "a/b", "a/b/c", "a/b/d", "a/c", "a/c/", "ab", "b/1", "b/2", "b/3/x", "c", "photos/2026/jan/1.jpg",
		"photos/2026/feb/2.jpg", "photos/index.html", "日本/x", "z//double",
	}
	for _, k := range all {
		e.put(t, "bkt", k, k)
	}
	sorted := slices.Sorted(slices.Values(all))
	tests := []struct {
		name                      string
		prefix, delim, startAfter string
		max                       int
		keys, prefixes            []string
		pages                     int
	}{
		{"everything", "", "", "", 1000, sorted, nil, 1},
		{"root-delimiter", "", "/", "", 1000, []string{"a", "ab", "c"}, []string{"a/", "b/", "photos/", "z/", "日本/"}, 1},
		{"prefix-delimiter", "a/", "/", "", 1000, []string{"a/b", "a/c"}, []string{"a/b/", "a/c/"}, 1},
		{"prefix-no-delimiter", "b/", "", "", 1000, []string{"b/1", "b/2", "b/3/x"}, nil, 1},
		{"nested", "photos/", "/", "", 1000, []string{"photos/index.html"}, []string{"photos/2026/"}, 1},
		{"pages-of-one", "", "/", "", 1, []string{"a", "ab", "c"}, []string{"a/", "b/", "photos/", "z/", "日本/"}, 8},
		{"pages-of-two", "", "", "", 2, sorted, nil, 8},
		{"start-after", "", "", "b/2", 1000, []string{"b/3/x", "c", "photos/2026/feb/2.jpg", "photos/2026/jan/1.jpg", "photos/index.html", "z//double", "日本/x"}, nil, 1},
		{"start-after-inside-prefix", "", "/", "b/1", 1000, []string{"c"}, []string{"b/", "photos/", "z/", "日本/"}, 1},
		{"other-delimiter", "photos/2026/", "n", "", 1000, []string{"photos/2026/feb/2.jpg"}, []string{"photos/2026/jan"}, 1},
		{"no-match", "zzz", "/", "", 1000, nil, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := tt.max
			keys, prefixes, pages := listAll(t, e.svc, s3.ListInput{Bucket: "bkt", Prefix: tt.prefix, Delimiter: tt.delim, StartAfter: tt.startAfter, MaxKeys: &max})
			if diff := cmp.Diff(tt.keys, keys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.prefixes, prefixes); diff != "" {
				t.Errorf("common prefixes (-want +got):\n%s", diff)
			}
			if pages != tt.pages {
				t.Errorf("pages = %d, want %d", pages, tt.pages)
			}
		})
	}
}

// Random key sets, prefixes, delimiters and page sizes: paging through
// ListObjectsV2 always gives the reference listing.
func TestListObjectsV2MatchesReference(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "bkt")
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "/", "-", "é"}
	seen := map[string]bool{}
	var all []string
	for len(all) < 300 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		k := b.String()
		if seen[k] || s3.ValidateKey(k) != nil {
			continue
		}
		seen[k] = true
		all = append(all, k)
		e.put(t, "bkt", k, "")
	}
	for i := range 200 {
		prefix := ""
		for range rng.IntN(3) {
			prefix += alphabet[rng.IntN(len(alphabet))]
		}
		delim := []string{"", "/", "-", "b/", "é"}[rng.IntN(5)]
		startAfter := ""
		if rng.IntN(3) == 0 {
			startAfter = all[rng.IntN(len(all))]
		}
		max := 1 + rng.IntN(7)
		keys, prefixes, _ := listAll(t, e.svc, s3.ListInput{Bucket: "bkt", Prefix: prefix, Delimiter: delim, StartAfter: startAfter, MaxKeys: &max})
		wantKeys, wantPrefixes := reference(all, prefix, delim, startAfter)
		if !cmp.Equal(keys, wantKeys) || !cmp.Equal(prefixes, wantPrefixes) {
			t.Fatalf("case %d: ListObjectsV2(prefix %q, delimiter %q, start-after %q, max %d) = %q + %q, want %q + %q",
				i, prefix, delim, startAfter, max, keys, prefixes, wantKeys, wantPrefixes)
		}
	}
}

func TestListObjectsV2Errors(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "bkt")
	ctx := context.Background()
	_, err := e.svc.ListObjectsV2(ctx, s3.ListInput{Bucket: "nope"})
	wantErr(t, "ListObjectsV2(missing bucket)", err, "NoSuchBucket", 404)
	_, err = e.svc.ListObjectsV2(ctx, s3.ListInput{Bucket: "bkt", ContinuationToken: "%%%"})
	wantErr(t, "ListObjectsV2(bad token)", err, "InvalidArgument", 400)
	neg := -1
	_, err = e.svc.ListObjectsV2(ctx, s3.ListInput{Bucket: "bkt", MaxKeys: &neg})
	wantErr(t, "ListObjectsV2(max-keys -1)", err, "InvalidArgument", 400)

	e.put(t, "bkt", "k", "v")
	zero, big := 0, 5000
	out, err := e.svc.ListObjectsV2(ctx, s3.ListInput{Bucket: "bkt", MaxKeys: &zero})
	if err != nil || out.KeyCount != 0 || out.IsTruncated || out.MaxKeys != 0 {
		t.Errorf("ListObjectsV2(max-keys 0) = %+v, %v; want nothing, not truncated", out, err)
	}
	out, err = e.svc.ListObjectsV2(ctx, s3.ListInput{Bucket: "bkt", MaxKeys: &big})
	if err != nil || out.MaxKeys != 1000 || out.KeyCount != 1 {
		t.Errorf("ListObjectsV2(max-keys 5000) = %+v, %v; want MaxKeys 1000 and one key", out, err)
	}
	want := s3.ObjectInfo{Key: "k", Size: 1, ETag: `"` + md5hex("v") + `"`, LastModified: out.Contents[0].LastModified, StorageClass: "STANDARD"}
	if diff := cmp.Diff(want, out.Contents[0]); diff != "" || out.Contents[0].LastModified.IsZero() {
		t.Errorf("listed object (-want +got):\n%s", diff)
	}
}

func BenchmarkListObjectsV2(b *testing.B) {
	e := newEnv(b)
	e.bucket(b, "bkt")
	for i := range 5000 {
		e.put(b, "bkt", fmt.Sprintf("dir%02d/file%05d", i%50, i), "")
	}
	for _, delim := range []string{"", "/"} {
		b.Run("delimiter="+delim, func(b *testing.B) {
			for b.Loop() {
				if _, err := e.svc.ListObjectsV2(context.Background(), s3.ListInput{Bucket: "bkt", Delimiter: delim}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Version 1 paging: NextMarker with a delimiter, the last key without.
func TestListObjectsV1(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "bkt")
	all := []string{"a", "a/1", "a/2", "b", "c/1", "d"}
	for _, k := range all {
		e.put(t, "bkt", k, "")
	}
	for _, delim := range []string{"", "/"} {
		t.Run("delimiter="+delim, func(t *testing.T) {
			var got []string
			one := 1
			in := s3.ListV1Input{Bucket: "bkt", Delimiter: delim, MaxKeys: &one}
			for pages := 0; ; pages++ {
				out, err := e.svc.ListObjects(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range out.Contents {
					got = append(got, o.Key)
				}
				got = append(got, out.CommonPrefixes...)
				if !out.IsTruncated || pages > 10 {
					break
				}
				if delim == "" {
					if out.NextMarker != "" {
						t.Errorf("NextMarker %q without a delimiter", out.NextMarker)
					}
					in.Marker = out.Contents[len(out.Contents)-1].Key
				} else {
					in.Marker = out.NextMarker
				}
			}
			want, wantPrefixes := reference(all, "", delim, "")
			want = append(want, wantPrefixes...)
			slices.Sort(want)
			if !cmp.Equal(got, want) {
				t.Errorf("ListObjects pages = %q, want %q", got, want)
			}
		})
	}
}
