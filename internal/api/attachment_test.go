package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// multipartBody returns a body with a file part named field and its
// Content-Type header.
func multipartBody(t *testing.T, field, filename, contentType string, data []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("note", "ignored")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, filename))
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(data)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func upload(c *apitest.Client, ticket int64, body []byte, ct string) *apitest.Response {
	return c.Do("POST", fmt.Sprintf("/ticket/%d/attachments", ticket), body, "Content-Type", ct)
}

func attachmentCount(t *testing.T, w *world, ticket int64) int {
	t.Helper()
	var l ajudae.List[ajudae.Attachment]
	w.admin.Must(200, "GET", fmt.Sprintf("/ticket/%d/attachments?limit=100", ticket), nil, &l)
	return len(l.Items)
}

// TestAttachments: upload, list and download with the ticket's visibility,
// for every role, on each engine; refused calls store nothing.
func TestAttachments(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		tk := w.open(t, "Com anexo")
		content := []byte("%PDF-1.4 relatório\x00\x01 binário")
		body, ct := multipartBody(t, "file", "relatório final.pdf", "application/pdf", content)

		uploadWant := map[string]int{"admin": 201, "teamAdmin": 201, "member": 201, "otherAtt": 404, "creator": 201, "other": 404, "anon": 401}
		var first ajudae.Attachment
		for role, c := range w.roles() {
			before := attachmentCount(t, w, tk.ID)
			r := upload(c, tk.ID, body, ct)
			if r.Status != uploadWant[role] {
				t.Errorf("upload as %s: %d, want %d: %s", role, r.Status, uploadWant[role], r.Body)
				continue
			}
			after := attachmentCount(t, w, tk.ID)
			if r.Status != 201 {
				r.Problem(t)
				if after != before {
					t.Errorf("refused upload as %s stored a file", role)
				}
				continue
			}
			if after != before+1 {
				t.Errorf("upload as %s: %d files, want %d", role, after, before+1)
			}
			var at ajudae.Attachment
			r.JSON(t, &at)
			if at.ID == 0 || at.Filename != "relatório final.pdf" || at.Size != int64(len(content)) ||
				at.ContentType != "application/pdf" || at.CreatedAt.IsZero() {
				t.Errorf("upload as %s answered %+v", role, at)
			}
			if role == "creator" {
				first = at
			}
		}

		listWant := map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 200, "other": 404, "anon": 401}
		for role, c := range w.roles() {
			var l ajudae.List[ajudae.Attachment]
			r := c.Do("GET", fmt.Sprintf("/ticket/%d/attachments", tk.ID), nil)
			if r.Status != listWant[role] {
				t.Errorf("list as %s: %d, want %d", role, r.Status, listWant[role])
				continue
			}
			if r.Status == 200 {
				r.JSON(t, &l)
				if len(l.Items) != 4 || l.NextCursor != nil {
					t.Errorf("list as %s: %d items, cursor %v; want 4, null", role, len(l.Items), l.NextCursor)
				}
			} else {
				r.Problem(t)
			}
		}

		path := fmt.Sprintf("/attachment/%d", first.ID)
		for role, c := range w.roles() {
			r := c.Do("GET", path, nil)
			if r.Status != listWant[role] {
				t.Errorf("download as %s: %d, want %d", role, r.Status, listWant[role])
				continue
			}
			if r.Status != 200 {
				r.Problem(t)
				continue
			}
			if !bytes.Equal(r.Body, content) {
				t.Errorf("download as %s: body %q, want %q", role, r.Body, content)
			}
			if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename") {
				t.Errorf("Content-Disposition = %q", cd)
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Content-Type") != "application/pdf" {
				t.Errorf("headers %v", r.Header)
			}
		}

		// The web UI's cookie opens the download too (never an upload).
		r := w.env.Do("", apitest.Request{Method: "GET", Path: path, Header: http.Header{"Cookie": {"ajudae_session=" + w.creator.Token}}})
		if r.Status != 200 || !bytes.Equal(r.Body, content) {
			t.Errorf("download with the cookie: %d", r.Status)
		}
		r = w.env.Do("", apitest.Request{Method: "POST", Path: fmt.Sprintf("/ticket/%d/attachments", tk.ID), Body: body,
			Header: http.Header{"Cookie": {"ajudae_session=" + w.creator.Token}, "Content-Type": {ct}}})
		if r.Status != 401 {
			t.Errorf("upload with only the cookie: %d, want 401", r.Status)
		}

		// After a redirect to Produto, Marketing's member loses the file and Produto's gains it.
		w.admin.Must(200, "POST", fmt.Sprintf("/ticket/%d/redirect", tk.ID), map[string]any{"teamId": w.prod}, nil)
		if r := w.member.Do("GET", path, nil); r.Status != 404 {
			t.Errorf("old team's member after redirect: %d, want 404", r.Status)
		}
		if r := w.otherAtt.Do("GET", path, nil); r.Status != 200 {
			t.Errorf("new team's member after redirect: %d, want 200", r.Status)
		}
		if r := w.creator.Do("GET", "/attachment/999999", nil); r.Status != 404 {
			t.Errorf("unknown attachment: %d", r.Status)
		}
		if r := w.creator.Do("GET", "/attachment/abc", nil); r.Status != 422 {
			t.Errorf("attachment id abc: %d, want 422", r.Status)
		}
	})
}

// TestAttachmentBadUploads: too large, no file, not multipart, bad names;
// each a 4xx that stores nothing.
func TestAttachmentBadUploads(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		tk := w.open(t, "Uploads ruins")
		big, bigCT := multipartBody(t, "file", "grande.bin", "", bytes.Repeat([]byte("x"), ajudae.DefaultMaxUpload+1))
		exact, exactCT := multipartBody(t, "file", "exato.bin", "", bytes.Repeat([]byte("y"), ajudae.DefaultMaxUpload))
		noFile, noFileCT := multipartBody(t, "other", "a.txt", "", []byte("a"))
		noName, noNameCT := multipartBody(t, "file", "", "", []byte("a"))
		tests := []struct {
			name   string
			body   []byte
			ct     string
			status int
		}{
			{"over the limit", big, bigCT, 413},
			{"no file field", noFile, noFileCT, 422},
			{"no file name", noName, noNameCT, 422},
			{"json", []byte(`{"file":"x"}`), "application/json", 400},
			{"broken multipart", []byte("--x\r\nnonsense"), "multipart/form-data; boundary=x", 400},
		}
		for _, tt := range tests {
			before := attachmentCount(t, w, tk.ID)
			r := upload(w.creator, tk.ID, tt.body, tt.ct)
			if r.Status != tt.status {
				t.Errorf("%s: %d, want %d: %s", tt.name, r.Status, tt.status, r.Body)
				continue
			}
			if p := r.Problem(t); p.Detail == "" {
				t.Errorf("%s: problem without detail", tt.name)
			}
			if after := attachmentCount(t, w, tk.ID); after != before {
				t.Errorf("%s stored a file", tt.name)
			}
		}
		// Exactly the limit is accepted; a path in the name is cut to its base.
		if r := upload(w.creator, tk.ID, exact, exactCT); r.Status != 201 {
			t.Errorf("file of exactly the limit: %d", r.Status)
		}
		b, ct := multipartBody(t, "file", `C:\Users\cris\nota.txt`, "", []byte("olá"))
		var at ajudae.Attachment
		w.creator.Must(201, "POST", fmt.Sprintf("/ticket/%d/attachments", tk.ID), b, &at, "Content-Type", ct)
		if at.Filename != "nota.txt" || !strings.HasPrefix(at.ContentType, "text/plain") {
			t.Errorf("got %+v", at)
		}
	})
}

// TestOpenAPIDocumentsPlainRoutes: the routes served outside huma are in
// the OpenAPI document too.
func TestOpenAPIDocumentsPlainRoutes(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		r := env.Do("", apitest.Request{Method: "GET", Path: "/openapi.json"})
		var doc struct {
			Paths map[string]map[string]any `json:"paths"`
		}
		r.JSON(t, &doc)
		for path, method := range map[string]string{"/events": "get", "/ticket/{id}/attachments": "post", "/attachment/{id}": "get"} {
			if _, ok := doc.Paths[path][method]; !ok {
				t.Errorf("/openapi.json lacks %s %s", method, path)
			}
		}
		if _, ok := doc.Paths["/ticket/{id}/attachments"]["get"]; !ok {
			t.Error("/openapi.json lacks get /ticket/{id}/attachments")
		}
	})
}
