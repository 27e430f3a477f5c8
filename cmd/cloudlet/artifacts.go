package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/s3"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// publisher puts what a template needs in the running cloudlet before it
// is deployed, as `aws cloudformation package`, `sam deploy` and `cdk
// deploy` do with AWS: nested templates found beside the template go to
// the S3 objects their TemplateURLs name, a CDK app's assets to the CDK
// bootstrap bucket, and the bootstrap version parameter to SSM.
type publisher struct {
	c               *awsClient
	account, region string
	log             io.Writer
	buckets         map[string]bool
}

// maxTemplateBody is the largest TemplateBody CreateStack accepts (spec
// cloudformation §1.1); larger templates go through S3.
const maxTemplateBody = 51200

// server asks the running cloudlet for its account and region.
func server(ctx context.Context, c *awsClient) (account, region string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+"/_cloudlet/health", nil)
	if err != nil {
		return "", "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("is cloudlet running at %s? %w", c.endpoint, err)
	}
	defer resp.Body.Close()
	var h struct{ AccountID, Region string }
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("cloudlet at %s is not ready (health answered %s)", c.endpoint, resp.Status)
	}
	return h.AccountID, h.Region, nil
}

// publish readies a template file: its nested templates and CDK assets.
func (p *publisher) publish(ctx context.Context, file string, body []byte, params map[string]string) error {
	tmpl, err := template.Parse(filepath.Base(file), body)
	if err != nil {
		return nil // the server reports it with its position
	}
	if err := p.nested(ctx, file, tmpl, params, 0); err != nil {
		return err
	}
	if err := p.cdkBootstrap(ctx, tmpl); err != nil {
		return err
	}
	return p.cdkAssets(ctx, filepath.Dir(file))
}

// nested uploads the nested templates whose TemplateURL names an object
// with the name of a file beside the parent template.
func (p *publisher) nested(ctx context.Context, file string, tmpl *template.Template, params map[string]string, depth int) error {
	if depth > 8 {
		return nil
	}
	values, err := tmpl.ResolveParameters(params, func(name string) (string, error) { return "", errors.New("no SSM offline") })
	if err != nil {
		values, _ = tmpl.ResolveParameters(nil, nil)
	}
	scope := &template.Scope{Region: p.region, AccountID: p.account, StackName: "stack", Params: values}
	for _, r := range tmpl.Resources {
		if r.Type != stack.StackType || r.Properties == nil || r.Properties.Get("TemplateURL") == nil {
			continue
		}
		v, err := template.Eval(r.Properties.Get("TemplateURL"), scope)
		u, ok := v.(string)
		if err != nil || !ok {
			continue
		}
		bucket, key, err := s3.ParseURL(u)
		if err != nil {
			continue
		}
		local := filepath.Join(filepath.Dir(file), path.Base(key))
		child, err := os.ReadFile(local)
		if err != nil {
			continue // not ours to upload: the object may already be there
		}
		fmt.Fprintf(p.log, "Uploading %s to s3://%s/%s\n", local, bucket, key)
		if err := p.put(ctx, bucket, key, child); err != nil {
			return fmt.Errorf("upload nested template %s: %w", local, err)
		}
		if ct, err := template.Parse(path.Base(key), child); err == nil {
			childParams := map[string]string{}
			if pm, err := template.Eval(r.Properties.Get("Parameters"), scope); err == nil {
				if m, ok := pm.(map[string]any); ok {
					for k, v := range m {
						if s, ok := v.(string); ok {
							childParams[k] = s
						}
					}
				}
			}
			if err := p.nested(ctx, local, ct, childParams, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// cdkBootstrap makes the SSM parameter CDK templates read their bootstrap
// version from (BootstrapVersion: /cdk-bootstrap/{qualifier}/version),
// as `cdk bootstrap` does, when it is missing.
func (p *publisher) cdkBootstrap(ctx context.Context, tmpl *template.Template) error {
	for _, prm := range tmpl.Parameters {
		if prm.Default == nil || !strings.HasPrefix(*prm.Default, "/cdk-bootstrap/") || !strings.HasPrefix(prm.Type, "AWS::SSM::Parameter::Value") {
			continue
		}
		if err := p.ssm(ctx, "GetParameter", map[string]any{"Name": *prm.Default}); err == nil || !isCode(err, "ParameterNotFound") {
			continue
		}
		fmt.Fprintf(p.log, "Creating the CDK bootstrap parameter %s\n", *prm.Default)
		if err := p.ssm(ctx, "PutParameter", map[string]any{"Name": *prm.Default, "Value": cdkBootstrapVersion, "Type": "String"}); err != nil {
			return fmt.Errorf("create %s: %w", *prm.Default, err)
		}
	}
	return nil
}

// cdkBootstrapVersion is the bootstrap stack version cloudlet claims to
// be: new enough for every CDK v2 template's CheckBootstrapVersion rule.
const cdkBootstrapVersion = "21"

// cdkAssets publishes the file assets of a cdk.out folder's asset
// manifests (*.assets.json) to their destinations.
func (p *publisher) cdkAssets(ctx context.Context, dir string) error {
	manifests, _ := filepath.Glob(filepath.Join(dir, "*.assets.json"))
	for _, m := range manifests {
		raw, err := os.ReadFile(m)
		if err != nil {
			return err
		}
		var doc struct {
			Files map[string]struct {
				Source struct {
					Path      string `json:"path"`
					Packaging string `json:"packaging"`
				} `json:"source"`
				Destinations map[string]struct {
					BucketName string `json:"bucketName"`
					ObjectKey  string `json:"objectKey"`
				} `json:"destinations"`
			} `json:"files"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("read CDK asset manifest %s: %w", m, err)
		}
		for id, f := range doc.Files {
			src := filepath.Join(dir, f.Source.Path)
			var body []byte
			if f.Source.Packaging == "zip" {
				body, err = zipped(src)
			} else {
				body, err = os.ReadFile(src)
			}
			if err != nil {
				return fmt.Errorf("CDK asset %s: %w", id, err)
			}
			for _, d := range f.Destinations {
				bucket, key := p.expand(d.BucketName), p.expand(d.ObjectKey)
				fmt.Fprintf(p.log, "Publishing CDK asset %s to s3://%s/%s\n", f.Source.Path, bucket, key)
				if err := p.put(ctx, bucket, key, body); err != nil {
					return fmt.Errorf("publish CDK asset %s: %w", id, err)
				}
			}
		}
	}
	return nil
}

// expand fills in the placeholders of asset destinations.
func (p *publisher) expand(s string) string {
	return strings.NewReplacer("${AWS::AccountId}", p.account, "${AWS::Region}", p.region, "${AWS::Partition}", "aws").Replace(s)
}

// zipped returns a folder zipped, or a .zip file as it is.
func zipped(src string) ([]byte, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return os.ReadFile(src)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		h.Name, h.Method = filepath.ToSlash(rel), zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// put writes an object, making its bucket first if needed.
func (p *publisher) put(ctx context.Context, bucket, key string, body []byte) error {
	if !p.buckets[bucket] {
		_, _, err := p.c.call(ctx, "s3", http.MethodPut, "/"+bucket, nil, nil, nil)
		var ae *apiError
		if err != nil && !(errors.As(err, &ae) && ae.Status == http.StatusConflict) {
			return fmt.Errorf("create bucket %s: %w", bucket, err)
		}
		if p.buckets == nil {
			p.buckets = map[string]bool{}
		}
		p.buckets[bucket] = true
	}
	_, _, err := p.c.call(ctx, "s3", http.MethodPut, "/"+bucket+"/"+escapeKey(key), nil, nil, body)
	return err
}

func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// ssm calls an SSM JSON 1.1 operation.
func (p *publisher) ssm(ctx context.Context, op string, in map[string]any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	h := http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"AmazonSSM." + op}}
	_, _, err = p.c.call(ctx, "ssm", http.MethodPost, "/", nil, h, body)
	return err
}

// templateURL uploads a template too large for TemplateBody and returns
// its URL.
func (p *publisher) templateURL(ctx context.Context, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	bucket, key := "cloudlet-templates-"+p.account+"-"+p.region, "templates/"+hex.EncodeToString(sum[:16])+".template"
	if err := p.put(ctx, bucket, key, body); err != nil {
		return "", err
	}
	return "https://s3.amazonaws.com/" + bucket + "/" + key, nil
}
